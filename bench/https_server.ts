/**
 * HTTPS hello-world servers for bench/https.ts, listening on $PORT (127.0.0.1)
 * with the certificate and key files named by $TLS_CERT and $TLS_KEY:
 *
 *   bare       the runtime's own TLS server: Deno.serve with cert and key,
 *              Bun.serve with tls, node:https
 *   fetchkit   serve() with `tls` (on Node: node:http2's secure server, which
 *              answers HTTP/1.1 clients such as wrk on the same port)
 *   url-floor  Deno and Bun: the bare TLS server reading `request.url` once,
 *              the least any router must do (as in bench/hello_server.ts)
 *   http2-floor  Node only: that node:http2 secure server (allowHTTP1) with a
 *              raw handler, the ceiling for serve() on Node
 *
 * Run: TLS_CERT=cert.pem TLS_KEY=key.pem <runtime> bench/https_server.ts <variant>
 */
import { readFileSync } from "node:fs";
import { serve } from "../mod.ts";
import { args, port } from "./servers/native.ts";

const body = "Hello, world";
const hello = () => new Response(body);
const cert = readFileSync(process.env.TLS_CERT!, "utf8");
const key = readFileSync(process.env.TLS_KEY!, "utf8");

const g = globalThis as unknown as {
  Deno?: { serve(options: Record<string, unknown>, handler: unknown): unknown };
  Bun?: { serve(options: Record<string, unknown>): unknown };
};

/** The runtime's own TLS server, handed `handler` as it is (see servers/bare.ts). */
async function serveBare(handler: (request: Request) => Response = hello): Promise<void> {
  if (g.Deno) g.Deno.serve({ port, hostname: "127.0.0.1", cert, key, onListen() {} }, handler);
  else if (g.Bun) g.Bun.serve({ port, hostname: "127.0.0.1", tls: { cert, key }, fetch: handler });
  else {
    const { createServer } = await import("node:https");
    createServer({ cert, key }, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
      res.end(body);
    }).listen(port, "127.0.0.1");
  }
}

/** Node's HTTP/2 secure server answering HTTP/1.1 too, with a raw handler: what serve() builds on. */
async function serveHttp2Floor(): Promise<void> {
  const { createSecureServer } = await import("node:http2");
  createSecureServer({ cert, key, allowHTTP1: true }, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end(body);
  }).listen(port, "127.0.0.1");
}

if (args[0] === "bare") await serveBare();
else if (args[0] === "url-floor") await serveBare((request) => new Response(request.url.length > 0 ? body : ""));
else if (args[0] === "http2-floor") await serveHttp2Floor();
else if (args[0] === "fetchkit") await serve(hello, { port, onListen() {}, tls: { cert, key } });
else throw new Error(`unknown variant ${args[0]}: bare or fetchkit`);
