/**
 * The ceilings for small static files: the runtime's own server answering
 * from memory with a static file's headers, no file system, no fetchkit
 * (Deno.serve, Bun.serve, raw node:http). Listens on $PORT.
 *
 * Run: <runtime> bench/servers/bytes.ts [200|304|206]
 * - 200 (default): the whole 1 KiB;
 * - 304: the revalidation answer (ETag, Last-Modified, Cache-Control, no body);
 * - 206: bytes 100-199 of the 1 KiB, with Content-Range.
 */
import { args, port, serveNatively } from "./native.ts";

const status = Number(args[0] ?? 200);
const whole = new Uint8Array(1024).fill(0x61);
const validators: Record<string, string> = {
  "etag": '"400-19a4e1c2b00"',
  "last-modified": "Mon, 23 Nov 2026 10:00:00 GMT",
  "cache-control": "public, no-cache",
};
const entity: Record<string, string> = {
  "content-type": "text/plain; charset=utf-8",
  "accept-ranges": "bytes",
  "x-content-type-options": "nosniff",
  ...validators,
};
const answers: Record<number, { headers: Record<string, string>; body: Uint8Array<ArrayBuffer> | null }> = {
  200: { headers: { ...entity, "content-length": "1024" }, body: whole },
  304: { headers: validators, body: null },
  206: {
    headers: { ...entity, "content-length": "100", "content-range": "bytes 100-199/1024" },
    body: whole.subarray(100, 200),
  },
};
const { headers, body } = answers[status];
const cached = new Response(body, { status, headers });
if (!serveNatively(() => cached.clone())) {
  const { createServer } = await import("node:http");
  createServer((_req, res) => {
    res.writeHead(status, headers);
    if (body === null) res.end();
    else res.end(body);
  }).listen(port, "127.0.0.1");
}
