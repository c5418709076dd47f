/**
 * The ceiling for small static files: the runtime's own server answering the
 * same 1 KiB from memory with a static file's headers, no file system, no
 * fetchkit (Deno.serve, Bun.serve, raw node:http). Listens on $PORT.
 */
import { port, serveNatively } from "./native.ts";

const body = new Uint8Array(1024).fill(0x61);
const headers: Record<string, string> = {
  "content-type": "text/plain; charset=utf-8",
  "content-length": "1024",
  "etag": '"400-19a4e1c2b00"',
  "last-modified": "Mon, 23 Nov 2026 10:00:00 GMT",
  "accept-ranges": "bytes",
  "cache-control": "public, max-age=0",
  "x-content-type-options": "nosniff",
};
const cached = new Response(body, { headers });
if (!serveNatively(() => cached.clone())) {
  const { createServer } = await import("node:http");
  createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  }).listen(port, "127.0.0.1");
}
