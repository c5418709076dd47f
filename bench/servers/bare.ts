/**
 * The baseline: the runtime's own server answering "Hello, world" with no
 * fetchkit code at all (Deno.serve, Bun.serve, raw node:http). Listens on $PORT.
 *
 * The handler takes no argument on purpose, the strictest baseline: Deno
 * serves a zero-argument handler without building a Request at all.
 */
const port = Number(globalThis.process?.env.PORT ?? 8000);
const hostname = "127.0.0.1";
const body = "Hello, world";
const g = globalThis as unknown as {
  Deno?: { serve(o: Record<string, unknown>, h: () => Response): unknown };
  Bun?: { serve(o: Record<string, unknown>): unknown };
};
if (g.Deno) {
  g.Deno.serve({ port, hostname, onListen() {} }, () => new Response(body));
} else if (g.Bun) {
  g.Bun.serve({ port, hostname, fetch: () => new Response(body) });
} else {
  const { createServer } = await import("node:http");
  createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end(body);
  }).listen(port, hostname);
}
