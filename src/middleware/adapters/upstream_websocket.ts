/**
 * The proxy's WebSocket client to the upstream: the `ws` package on Node
 * (whose global `WebSocket` cannot send the forwarding headers), the
 * runtime's own `WebSocket` elsewhere, with the headers option Deno and Bun
 * accept. Either way the socket has the standard interface.
 *
 * @module
 */
import { runtime } from "../../internal/runtime.ts";

/**
 * A variable, not a literal: a bundler making a Worker of an app follows
 * literal imports, and `ws` needs Node's built-ins (only Node uses it).
 */
const WS_PACKAGE = "ws";

/** What the proxy asks of the upstream handshake. */
export interface UpstreamSocketRequest {
  /** The subprotocols the client offered, passed on as they are. */
  protocols: string[];
  /** The request's headers for the upstream (forwarding headers set, hop-by-hop ones gone). */
  headers: Headers;
  /** Milliseconds the handshake may take. */
  timeout: number;
}

/** The handshake failed: the upstream could not be reached or refused the upgrade. */
export class UpstreamSocketError extends Error {
  /** Whether it was the timeout. */
  readonly timedOut: boolean;
  constructor(message: string, timedOut = false) {
    super(message);
    this.name = "UpstreamSocketError";
    this.timedOut = timedOut;
  }
}

/** Headers a WebSocket client sets itself: passing them too would make a second handshake. */
const HANDSHAKE = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"];

function plainHeaders(headers: Headers): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of headers) if (!HANDSHAKE.includes(name)) plain[name] = value;
  return plain;
}

function newSocket(url: string, init: UpstreamSocketRequest): Promise<WebSocket> {
  const headers = plainHeaders(init.headers);
  if (runtime === "node") {
    return (import(WS_PACKAGE) as Promise<typeof import("ws")>).then(({ WebSocket: NodeWebSocket }) => {
      const socket = new NodeWebSocket(url, init.protocols, { headers, perMessageDeflate: false });
      // An 'error' nobody listens to would end the process; the relay hears it as 'close'.
      socket.on("error", () => {});
      return socket as unknown as WebSocket;
    });
  }
  const Client = WebSocket as unknown as new (url: string, options: unknown) => WebSocket;
  return Promise.resolve(new Client(url, { protocols: init.protocols, headers }));
}

/** An open upstream socket, and what it received before anyone else listened. */
export interface UpstreamSocket {
  socket: WebSocket;
  /**
   * Messages that arrived with the handshake's answer, before the caller's
   * listeners: a client may dispatch 'open' and a first 'message' in one
   * go. The caller takes them and calls `stopQueueing()` once it listens.
   */
  early: unknown[];
  stopQueueing(): void;
}

/** Opens a WebSocket to `url`; resolves once it is open, rejects with an {@linkcode UpstreamSocketError}. */
export async function openUpstreamSocket(url: string, init: UpstreamSocketRequest): Promise<UpstreamSocket> {
  const socket = await newSocket(url, init);
  socket.binaryType = "arraybuffer";
  const early: unknown[] = [];
  const queue = (event: MessageEvent) => early.push(event.data);
  socket.addEventListener("message", queue);
  const stopQueueing = () => socket.removeEventListener("message", queue);
  return await new Promise<UpstreamSocket>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new UpstreamSocketError("the upstream did not complete the WebSocket handshake in time", true));
      socket.close();
    }, init.timeout);
    const done = () => {
      clearTimeout(timer);
      socket.removeEventListener("open", opened);
      socket.removeEventListener("error", failed);
      socket.removeEventListener("close", failed);
    };
    const fail = (error: UpstreamSocketError) => {
      done();
      stopQueueing();
      reject(error);
    };
    const opened = () => {
      done();
      resolve({ socket, early, stopQueueing });
    };
    const failed = () =>
      fail(new UpstreamSocketError("the upstream refused the WebSocket handshake or was unreachable"));
    socket.addEventListener("open", opened);
    socket.addEventListener("error", failed);
    socket.addEventListener("close", failed);
  });
}
