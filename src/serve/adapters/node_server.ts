/**
 * The Node server `serve()` runs, created in one place: `node:http`, or with
 * TLS `node:http2`'s secure server, which speaks HTTP/2 to clients that offer
 * it (ALPN `h2`) and HTTP/1.1 to the others, on the same port. Both emit
 * `request` with a `req` and `res` the Node layer serves alike (src/node/http2.ts)
 * and `upgrade` for an HTTP/1.1 upgrade, so what attaches to one attaches to
 * the other.
 *
 * @module
 */
import type { Server as HttpServer } from "node:http";
import type { Http2SecureServer, ServerHttp2Session } from "node:http2";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Limits } from "../limits.ts";
import type { TlsMaterial } from "./tls.ts";
import { http2ResponseClass } from "../../node/http2.ts";

/** fetchkit's Node server: plain HTTP/1.1, or HTTP/2 and HTTP/1.1 over TLS. */
export type NodeServer = HttpServer | Http2SecureServer;

/**
 * Node's own limit on an HTTP/2 request's header list, above ours: ours
 * (counted as on HTTP/1) answers 431 first, Node's resets the stream only past it.
 */
const HEADER_LIST_MARGIN = 64 * 1024;

/** Creates the server for `limits`, with `tls` when given; it does not listen yet. */
export async function createNodeServer(limits: Limits, tls?: TlsMaterial): Promise<NodeServer> {
  // The HTTP/1 options, which the secure server applies to its HTTP/1.1 connections too.
  const http1 = {
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: limits.requestTimeout,
    headersTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.idleTimeout,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.max(250, Math.min(30_000, limits.requestTimeout / 4)),
  };
  // Loaded here, not at the top: a Workers bundle of mod.ts includes this module.
  if (tls === undefined) return (await import("node:http")).createServer(http1);
  const http2 = await import("node:http2");
  const server = http2.createSecureServer({
    ...http1,
    allowHTTP1: true,
    cert: tls.cert,
    key: tls.key,
    // A connection that never finishes its handshake is cut as a slow request is (Node's default: 120 s).
    handshakeTimeout: limits.requestTimeout,
    Http2ServerResponse: http2ResponseClass(http2),
    // Node's default is 128 header fields; HTTP/1 allows 2000.
    maxHeaderListPairs: 2000,
    settings: { maxHeaderListSize: limits.maxHeaderSize + HEADER_LIST_MARGIN },
  });
  server.on("session", (session: ServerHttp2Session) => closeWhenIdle(session, limits.idleTimeout));
  return server;
}

/**
 * `idleTimeout` on HTTP/2: a session without traffic for that long is closed
 * gracefully (GOAWAY; a stream still open finishes first), so a handler
 * working longer is never cut, as on HTTP/1.
 */
function closeWhenIdle(session: ServerHttp2Session, idleTimeout: number): void {
  session.setTimeout(idleTimeout, () => session.close());
}

/**
 * Keeps `sockets` to the open HTTP/1 connections a drain may close (the plain
 * TCP ones, or the TLS ones once their handshake chose HTTP/1.1: those are the
 * sockets their responses write to) and returns what cuts every connection.
 * An HTTP/2 session is closed by the server itself when it drains: `close()`
 * sends each a GOAWAY and lets its open streams finish.
 */
export function trackConnections(server: NodeServer, sockets: Set<Socket>): () => void {
  const track = (set: Set<Socket>) => (socket: Socket) => {
    set.add(socket);
    socket.once("close", () => set.delete(socket));
  };
  if (!("setSecureContext" in server)) {
    server.on("connection", track(sockets));
    return () => server.closeAllConnections();
  }
  // Every TCP connection, HTTP/2 and mid-handshake ones included, for the forced close.
  const everyConnection = new Set<Socket>();
  server.on("connection", track(everyConnection));
  const trackHttp1 = track(sockets);
  server.on("secureConnection", (socket: TLSSocket) => socket.alpnProtocol !== "h2" && trackHttp1(socket));
  return () => {
    for (const socket of everyConnection) socket.destroy();
  };
}
