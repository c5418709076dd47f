/**
 * fetchkit's serveStatic over $STATIC_ROOT, served by fetchkit's serve() on
 * $PORT. Used by bench/static.ts on Deno, Bun and Node. $STATIC_CACHE_BYTES
 * sets the body cache's budget and $STATIC_STAT_TTL the stat cache's TTL in
 * ms (defaults: serveStatic's own, 32 MiB and 1000 ms).
 */
import { serve } from "../../src/serve/serve.ts";
import { serveStatic, type StaticCacheOptions } from "../../src/static/mod.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const cache: StaticCacheOptions = {};
if (env.STATIC_CACHE_BYTES !== undefined) cache.maxBytes = Number(env.STATIC_CACHE_BYTES);
if (env.STATIC_STAT_TTL !== undefined) cache.statTtl = Number(env.STATIC_STAT_TTL);
await serve(serveStatic(env.STATIC_ROOT ?? ".", { cache }), {
  port: Number(env.PORT ?? 8000),
  hostname: "127.0.0.1",
  onListen() {},
});
