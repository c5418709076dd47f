/**
 * Hello-world servers for bench/hello.ts, one per variant, each listening on
 * $PORT (127.0.0.1):
 *
 *   fetchkit       serve() + a 3-entry mount (the request hits "/")
 *   fetchkit-w2    the same with `workers: 2`
 *   hono           a Hono app on the runtime's own server (Deno.serve, Bun.serve);
 *                  on Node through fetchkit's bridge (@hono/node-server is not installed)
 *
 * Run: <runtime> bench/hello_server.ts <variant>
 */
import { Hono } from "hono";
import { mount, serve } from "../mod.ts";

const body = "Hello, world";
const variant = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
  (globalThis as unknown as { process: { argv: string[] } }).process.argv[2];
const g = globalThis as unknown as {
  Deno?: { serve(o: Record<string, unknown>, h: (r: Request) => Response | Promise<Response>): unknown };
  Bun?: { serve(o: Record<string, unknown>): unknown };
  process?: { env: Record<string, string | undefined> };
};
const port = Number(g.process?.env.PORT ?? 8000);

const hello = () => new Response(body);
const app = mount({
  "/": hello,
  "/api": () => new Response("api"),
  "/static": () => new Response("static"),
});

switch (variant) {
  case "fetchkit":
    await serve(app, { port, onListen() {} });
    break;
  case "fetchkit-w2":
    await serve(app, { port, onListen() {}, workers: 2 });
    break;
  case "hono": {
    const hono = new Hono();
    hono.get("/", (c) => c.text(body));
    if (g.Deno) g.Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, hono.fetch);
    else if (g.Bun) g.Bun.serve({ port, hostname: "127.0.0.1", fetch: hono.fetch });
    else await serve(hono, { port, onListen() {} });
    break;
  }
  default:
    throw new TypeError(`bench/hello_server.ts: unknown variant ${JSON.stringify(variant)}`);
}
