/**
 * Hello-world servers for bench/hello.ts, one per variant, each listening on
 * $PORT (127.0.0.1):
 *
 *   fetchkit       serve() + a 3-entry mount (the request hits "/")
 *   fetchkit-w2    the same with `workers: 2`
 *   hono           a Hono app on the runtime's own server: Deno.serve, Bun.serve,
 *                  and on Node Hono's own adapter, @hono/node-server
 *   url-floor      Deno and Bun: the runtime's own server with a handler that
 *                  reads `request.url` once, the least any router must do (on
 *                  both runtimes the first read builds the URL string, and
 *                  Deno's zero-argument bare handler skips building the Request)
 *   fetch-floor    Node only: node:http doing the least any Fetch bridge must do
 *                  (a Request with the URL and headers, the handler's Response,
 *                  its body read and written) — the ceiling for a bridge that
 *                  keeps the real global Request and Response
 *
 * Run: <runtime> bench/hello_server.ts <variant>
 */
import { Hono } from "hono";
import { mount, serve } from "../mod.ts";
import { args, port, serveNatively } from "./servers/native.ts";

const body = "Hello, world";
const variant = args[0];

const hello = (_request?: Request) => new Response(body);
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
    if (!serveNatively(hono.fetch)) {
      const { serve: serveNode } = await import("@hono/node-server");
      serveNode({ fetch: hono.fetch, port, hostname: "127.0.0.1" });
    }
    break;
  }
  case "url-floor": {
    let read = 0;
    const handler = (request: Request) => {
      read += request.url.length;
      return read > 0 ? hello() : new Response(null, { status: 500 });
    };
    if (!serveNatively(handler)) throw new TypeError("bench/hello_server.ts: url-floor is for Deno and Bun");
    break;
  }
  case "fetch-floor": {
    const { createServer } = await import("node:http");
    createServer(async (req, res) => {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const response = hello(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }));
      const bytes = new Uint8Array(await response.arrayBuffer());
      const head: string[] = [];
      for (const [name, value] of response.headers) head.push(name, value);
      res.writeHead(response.status, head).end(bytes);
    }).listen(port, "127.0.0.1");
    break;
  }
  default:
    throw new TypeError(`bench/hello_server.ts: unknown variant ${JSON.stringify(variant)}`);
}
