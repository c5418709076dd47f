/**
 * The seam between the portable `upgradeWebSocket()` (src/websocket.ts) and
 * the servers that can actually switch a connection to WebSocket: a server
 * adapter puts a {@linkcode WebSocketUpgrader} in the context init of the
 * requests it serves, and the core asks it. The core never learns which
 * runtime it is on; a Request that came through no such server has none,
 * and `upgradeWebSocket()` says so.
 *
 * @module
 */

/** What `upgradeWebSocket()` asks of the server, resolved and checked. */
export interface UpgradeRequest {
  /** The subprotocol to answer with (`Sec-WebSocket-Protocol`), one the client offered; `undefined` for none. */
  protocol: string | undefined;
}

/** What an upgrade gives the handler: the socket, and the response that completes the handshake. */
export interface WebSocketUpgrade {
  /** The server's end of the connection, with the standard `WebSocket` interface. */
  socket: WebSocket;
  /** The handshake's answer (101): the handler returns it. */
  response: Response;
}

/**
 * How one server turns a request into a WebSocket. Adapters give one per
 * server (no allocation per request); what varies per request is read from
 * the request and its context's `runtimeArgs`.
 *
 * @example An adapter for a runtime with Deno's API
 * ```ts
 * import { bindContext, type WebSocketUpgrader } from "@fetchkit/core/adapter";
 * const upgrader: WebSocketUpgrader = {
 *   upgrade: (request, _runtimeArgs, { protocol }) => Deno.upgradeWebSocket(request, { protocol }),
 * };
 * bindContext(new Request("http://localhost/"), { webSocket: upgrader });
 * ```
 */
export interface WebSocketUpgrader {
  /** Switches `request` to WebSocket; throws a TypeError when the connection cannot be upgraded. */
  upgrade(request: Request, runtimeArgs: readonly unknown[], options: UpgradeRequest): WebSocketUpgrade;
}
