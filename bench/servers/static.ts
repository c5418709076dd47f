/**
 * fetchkit's serveStatic over $STATIC_ROOT, served by fetchkit's serve() on
 * $PORT. Used by bench/static.ts on Deno, Bun and Node. $STATIC_CACHE_BYTES
 * sets the body cache's budget (default: serveStatic's own, 32 MiB).
 */
import { serve } from "../../src/serve/serve.ts";
import { serveStatic } from "../../src/static/mod.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const maxBytes = env.STATIC_CACHE_BYTES === undefined ? undefined : Number(env.STATIC_CACHE_BYTES);
await serve(serveStatic(env.STATIC_ROOT ?? ".", maxBytes === undefined ? {} : { cache: { maxBytes } }), {
  port: Number(env.PORT ?? 8000),
  hostname: "127.0.0.1",
  onListen() {},
});
