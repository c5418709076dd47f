/**
 * The comparison point: Hono's serveStatic over $STATIC_ROOT on $PORT, with
 * Hono's own adapters on Bun and Deno. Node has no adapter in hono itself
 * (it lives in @hono/node-server, not installed here), so on Node this is
 * Hono's generic serveStatic with a node:fs getContent, as @hono/node-server
 * does, served through fetchkit's node:http bridge.
 */
import { Hono } from "hono";
import { serve } from "../../src/serve/serve.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const root = env.STATIC_ROOT ?? ".";
const app = new Hono();
const g = globalThis as { Deno?: unknown; Bun?: unknown };
if (g.Bun) {
  const { serveStatic } = await import("hono/bun");
  app.use("/*", serveStatic({ root }));
} else if (g.Deno) {
  const { serveStatic } = await import("hono/deno");
  app.use("/*", serveStatic({ root }));
} else {
  const { serveStatic } = await import("hono/serve-static");
  const { createReadStream, statSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { Readable } = await import("node:stream");
  app.use(
    "/*",
    serveStatic({
      root,
      join,
      getContent: (path: string) => {
        try {
          if (!statSync(path).isFile()) return Promise.resolve(null);
        } catch {
          return Promise.resolve(null);
        }
        return Promise.resolve(Readable.toWeb(createReadStream(path)) as ReadableStream);
      },
      isDir: (path: string) => {
        try {
          return statSync(path).isDirectory();
        } catch {
          return false;
        }
      },
    }),
  );
}
await serve(app, { port: Number(env.PORT ?? 8000), hostname: "127.0.0.1", onListen() {} });
