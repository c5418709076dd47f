/**
 * The comparison point: Hono's serveStatic over $STATIC_ROOT on $PORT, each
 * runtime with Hono's own adapter: `hono/bun` and `hono/deno` on the
 * runtime's server, and on Node `@hono/node-server` with its serveStatic.
 */
import { Hono } from "hono";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const root = env.STATIC_ROOT ?? ".";
const port = Number(env.PORT ?? 8000);
const hostname = "127.0.0.1";
const app = new Hono();
const g = globalThis as unknown as {
  Deno?: { serve(o: Record<string, unknown>, h: (r: Request) => Response | Promise<Response>): unknown };
  Bun?: { serve(o: Record<string, unknown>): unknown };
};
if (g.Bun) {
  const { serveStatic } = await import("hono/bun");
  app.use("/*", serveStatic({ root }));
  g.Bun.serve({ port, hostname, fetch: app.fetch });
} else if (g.Deno) {
  const { serveStatic } = await import("hono/deno");
  app.use("/*", serveStatic({ root }));
  g.Deno.serve({ port, hostname, onListen() {} }, app.fetch);
} else {
  const { serveStatic } = await import("@hono/node-server/serve-static");
  const { serve } = await import("@hono/node-server");
  app.use("/*", serveStatic({ root }));
  serve({ fetch: app.fetch, port, hostname });
}
