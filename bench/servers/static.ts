/**
 * fetchkit's serveStatic over $STATIC_ROOT, served by fetchkit's serve() on
 * $PORT. Used by bench/static.ts on Deno, Bun and Node.
 */
import { serve } from "../../src/serve/serve.ts";
import { serveStatic } from "../../src/static/mod.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
await serve(serveStatic(env.STATIC_ROOT ?? "."), {
  port: Number(env.PORT ?? 8000),
  hostname: "127.0.0.1",
  onListen() {},
});
