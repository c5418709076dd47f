/**
 * The ceilings for small static files: the runtime's own server answering
 * from memory with a static file's headers, no file system, no fetchkit
 * (Deno.serve, Bun.serve, raw node:http). Listens on $PORT.
 *
 * Run: <runtime> bench/servers/bytes.ts [200|304|206] [floor]
 * - 200 (default): the whole 1 KiB;
 * - 304: the revalidation answer (ETag, Last-Modified, Cache-Control, no body);
 * - 206: bytes 100-199 of the 1 KiB, with Content-Range.
 *
 * With `floor`, the handler first does the least any file server must do
 * for the request: read its URL and method and the two conditional headers
 * that decide the answer (If-None-Match, Range). The plain ceiling reads
 * nothing, so on Deno and Bun it never even builds a Request.
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
const floor = args[1] === "floor";
const { headers, body } = answers[status];
const cached = new Response(body, { status, headers });
const refused = new Response(null, { status: 400 });

/** True when the request is the one this answer is for: a GET of a path, with the conditions it needs. */
function expected(url: string, method: string, ifNoneMatch: unknown, range: unknown): boolean {
  return method === "GET" && url.length > 0 &&
    (ifNoneMatch !== undefined && ifNoneMatch !== null) === (status === 304) &&
    (range !== undefined && range !== null) === (status === 206);
}

function floorHandler(request: Request): Response {
  const headers = request.headers;
  const ok = expected(request.url, request.method, headers.get("if-none-match"), headers.get("range"));
  return ok ? cached.clone() : refused.clone();
}

if (!serveNatively(floor ? floorHandler : () => cached.clone())) {
  const { createServer } = await import("node:http");
  createServer((req, res) => {
    if (floor) {
      const fields = req.headers;
      if (!expected(req.url ?? "", req.method ?? "", fields["if-none-match"], fields.range)) {
        res.writeHead(400).end();
        return;
      }
    }
    res.writeHead(status, headers);
    if (body === null) res.end();
    else res.end(body);
  }).listen(port, "127.0.0.1");
}
