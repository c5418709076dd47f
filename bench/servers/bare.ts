/**
 * The baseline: the runtime's own server answering "Hello, world" with no
 * fetchkit code at all (Deno.serve, Bun.serve, raw node:http). Listens on $PORT.
 *
 * The handler takes no argument on purpose, the strictest baseline: Deno
 * serves a zero-argument handler without building a Request at all.
 */
import { port, serveNatively } from "./native.ts";

const body = "Hello, world";
if (!serveNatively(() => new Response(body))) {
  const { createServer } = await import("node:http");
  createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end(body);
  }).listen(port, "127.0.0.1");
}
