/**
 * Bench server for bench/compress.ts, listening on $PORT:
 *
 *   small            a 100-byte text/html body with its Content-Length, no middleware
 *   small-compress   the same inside compress(): nothing to do (below the threshold)
 *   page             the 100 KiB page from memory through compress(), gzip at $BENCH_LEVEL (default 6)
 *
 * Run: <runtime> bench/compress_server.ts <variant>
 */
import { serve } from "../mod.ts";
import { compress } from "../src/middleware/mod.ts";
import { pageBytes } from "./compress_page.ts";
import { args } from "./servers/native.ts";

const level = Number((globalThis as { process?: { env: Record<string, string> } }).process?.env.BENCH_LEVEL ?? 6);
const SMALL = "<p>" + "x".repeat(93) + "</p>";
const small = () => new Response(SMALL, { headers: { "content-type": "text/html", "content-length": "100" } });
const PAGE = pageBytes();
const page = () =>
  new Response(PAGE, { headers: { "content-type": "text/html", "content-length": String(PAGE.length) } });

const variant = args[0];
const app = variant === "small-compress"
  ? compress()(small)
  : variant === "page"
  ? compress({ encodings: ["gzip"], level: { gzip: level } })(page)
  : small;
await serve(app, { onListen() {} });
