/**
 * A graceful close of a `node:http` server without the keep-alive race
 * (nodejs/node#60617): `server.close()` destroys idle keep-alive connections at
 * once, and a request the client had already sent on one of them is reset
 * (the kernel answers a close with unread bytes with RST).
 *
 * Here, as Go's `Server.Shutdown` does, a connection is closed only while it
 * is idle, and closing never resets: the listener stops, bytes already
 * received get one turn of the event loop to become requests (answered with
 * `Connection: close`), and each idle connection is then half-closed (a FIN)
 * and read until the client closes its side, so a request that crosses the
 * FIN on the wire is read and dropped, never reset. The client sees a clean
 * end of the connection with no answer, which is how HTTP/1.1 clients know
 * to retry on a new connection.
 *
 * @module
 */
import type { Server as NodeHttpServer, ServerResponse } from "node:http";
import type { Http2SecureServer } from "node:http2";
import type { Socket } from "node:net";

/** How long a half-closed connection may wait for the client's own close before it is destroyed. */
const LINGER_MS = 1000;

/** What the drain needs of the adapter's bookkeeping. */
export interface DrainState {
  /** With TLS, `node:http2`'s server, whose `close()` also sends its HTTP/2 sessions a GOAWAY. */
  server: NodeHttpServer | Http2SecureServer;
  /** Responses being written. */
  active: Set<ServerResponse>;
  /** Every open connection. */
  sockets: Set<Socket>;
}

/** Sockets this module half-closed: a request still read on one is dropped, never answered. */
const ending = new WeakSet<Socket>();

/** Whether `socket` was half-closed by the drain (its request cannot be answered any more). */
export function isEnding(socket: Socket): boolean {
  return ending.has(socket);
}

/**
 * Stops accepting and closes the idle connections without a reset; resolves
 * once every connection is closed. Responses not yet started get
 * `Connection: close` (the adapter adds it to later ones while draining).
 */
export function drainServer(state: DrainState): Promise<void> {
  for (const res of state.active) if (!res.headersSent) res.shouldKeepAlive = false;
  const closed = new Promise<void>((done) => stopListening(state.server, done));
  afterPendingReads(() => endIdle(state));
  return closed;
}

/** Ends `socket` once it is idle after the response that just finished (a keep-alive response sent before the drain). */
export function endWhenIdle(state: DrainState, socket: Socket): void {
  afterPendingReads(() => isIdle(state, socket) && endGracefully(socket));
}

/**
 * `server.close()` without its `closeIdleConnections()`, which destroys idle
 * sockets (the reset this module avoids); the rest of it (the listener, its
 * timeout checks) is as Node does it.
 */
function stopListening(server: NodeHttpServer | Http2SecureServer, done: () => void): void {
  const own = server as unknown as { closeIdleConnections(): void };
  own.closeIdleConnections = () => {};
  try {
    server.close(() => done());
  } finally {
    delete (own as { closeIdleConnections?: unknown }).closeIdleConnections;
  }
}

/** Runs `fn` after a full turn of the event loop, so sockets already readable are read (and parsed) first. */
function afterPendingReads(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}

function isIdle(state: DrainState, socket: Socket): boolean {
  for (const res of state.active) if (res.socket === socket) return false;
  return true;
}

function endIdle(state: DrainState): void {
  for (const socket of state.sockets) if (isIdle(state, socket)) endGracefully(socket);
}

/** Half-closes: a FIN now, the client's own bytes still read, destroyed once the client closes or after a linger. */
function endGracefully(socket: Socket): void {
  if (ending.has(socket) || socket.destroyed) return;
  ending.add(socket);
  socket.end();
  // Node's timers are objects: unref'd, the linger never keeps the process alive.
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  (timer as unknown as { unref?(): void }).unref?.();
  socket.once("close", () => clearTimeout(timer));
}
