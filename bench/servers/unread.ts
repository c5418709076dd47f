/**
 * The server of bench/unread_bodies.ts, on $PORT: answers every request
 * without reading its body (a 204 with CORS headers for a preflight), and
 * `GET /memory` with its RSS and live heap after a full collection. With the
 * argument `bare` it serves with the runtime's own server (Deno.serve,
 * Bun.serve, node:http) instead of fetchkit's serve().
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { serve } from "../../mod.ts";
import { args, port, serveNatively } from "./native.ts";

const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;

/** A full collection: `Bun.gc` on Bun, V8's `gc()` (exposed at run time) on Node and Deno. */
const collect: () => void = bun ? () => bun.gc(true) : (() => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => (gc(), gc());
})();

function memory(): Response {
  collect();
  const { rss, heapUsed } = process.memoryUsage();
  return Response.json({ rss, heap: heapUsed });
}

const preflight = { "access-control-allow-origin": "*", "access-control-allow-methods": "POST" };

function ignoring(request: Request): Response {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: preflight });
  if (request.method === "GET" && new URL(request.url).pathname === "/memory") return memory();
  return new Response("ignored");
}

if (args[0] !== "bare") await serve(ignoring, { port, onListen() {} });
else if (!serveNatively(ignoring)) {
  const { createServer } = await import("node:http");
  createServer((req, res) => {
    if (req.method === "OPTIONS") res.writeHead(204, preflight).end();
    else if (req.url === "/memory") {
      collect();
      const { rss, heapUsed } = process.memoryUsage();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ rss, heap: heapUsed }));
    } else res.writeHead(200, { "content-type": "text/plain;charset=UTF-8", "content-length": "7" }).end("ignored");
  }).listen(port, "127.0.0.1");
}
