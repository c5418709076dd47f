/**
 * compress(), two targets, each measured in the same run as its baseline
 * (server pinned to core 0, wrk on core 1, `Accept-Encoding: gzip`):
 *
 * - (a) nothing to do (a 100-byte body, below the threshold): serve(compress(app))
 *   ≥ 0.98× serve(app), on each runtime;
 * - (b) gzip of a 100 KiB HTML page: ≥ 0.9× nginx `gzip on` at the same level
 *   (`gzip_comp_level` = compress's `level.gzip`, 6 by default), the page from
 *   nginx's open-file cache and from fetchkit's memory.
 *
 * Run: node bench/compress.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3
 *      BENCH_LEVEL=6; BENCH_PARTS=idle,gzip to choose)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  compare,
  type CompareRow,
  report,
  root,
  runOn,
  selectedRuntimes,
  type ServerSpec,
  type Target,
} from "./_lib/bench.ts";
import { nginxServer } from "./_lib/nginx.ts";
import { pageBytes } from "./compress_page.ts";

const parts = (process.env.BENCH_PARTS ?? "idle,gzip").split(",");
const level = Number(process.env.BENCH_LEVEL ?? 6);
const data = join(root, "bench", "results", "compress-data");
mkdirSync(data, { recursive: true });
writeFileSync(join(data, "page.html"), pageBytes());
const gzip = { "accept-encoding": "gzip" };

function nginx(): ServerSpec {
  return nginxServer({
    name: `nginx gzip on, level ${level}`,
    root: data,
    dir: join(data, "nginx"),
    readyPath: "/page.html",
    directives: ["types { text/html html; }", "gzip on;", `gzip_comp_level ${level};`, "gzip_types text/html;"],
  });
}

const server = (runtime: string, variant: string): ServerSpec => ({
  name: `${runtime}: ${variant === "page" ? `compress, gzip level ${level}` : variant}`,
  command: runOn(runtime as "node", "bench/compress_server.ts", variant),
  env: { BENCH_LEVEL: String(level) },
  readyPath: "/page.html",
});

const tables: Record<string, CompareRow[]> = {};
const targets: Target[] = [];
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  if (parts.includes("idle")) {
    const rows = await compare([server(runtime, "small"), server(runtime, "small-compress")], { headers: gzip });
    tables[`nothing to do (100-byte body), ${runtime}`] = rows;
    targets.push({ label: `${runtime} compress, nothing to do, vs none`, ratio: rows[1].ratio, min: 0.98 });
  }
  if (parts.includes("gzip")) {
    const rows = await compare([nginx(), server(runtime, "page")], { path: "/page.html", headers: gzip });
    tables[`gzip of a 100 KiB page, ${runtime}`] = rows;
    targets.push({ label: `${runtime} compress gzip vs nginx gzip on`, ratio: rows[1].ratio, min: 0.9 });
  }
}
report("compress", tables, targets);
