/**
 * WebSockets with one API on every runtime: {@linkcode upgradeWebSocket}
 * returns `{ socket, response }` as `Deno.upgradeWebSocket` does, and the
 * server the request came through does the switch (Deno's own, Bun's
 * `server.upgrade`, the `ws` package on fetchkit's Node server, a
 * `WebSocketPair` on Workers). Because it asks the request's context, it
 * works wherever dispatch put the handler (`mount`, `hosts`, `match`) and
 * behind any middleware that keeps the context.
 *
 * @module
 */
import { context, type RequestContext, UPGRADER } from "./context.ts";
import type { Handler } from "./handler.ts";
import { describe } from "./internal/describe.ts";
import { plainResponse } from "./internal/http.ts";
import type { WebSocketUpgrade, WebSocketUpgrader } from "./internal/upgrade.ts";
import { noteSession } from "./internal/websocket_sessions.ts";

export type { WebSocketUpgrade } from "./internal/upgrade.ts";

/** Options of {@linkcode upgradeWebSocket} and {@linkcode webSocket}. */
export interface UpgradeWebSocketOptions {
  /**
   * The subprotocol to agree on (`Sec-WebSocket-Protocol`): a name, accepted
   * when the client offered it; a list in the server's order of preference,
   * the first the client offered wins; or a function choosing from what the
   * client offered. Nothing agreed means no subprotocol in the answer.
   */
  protocol?: string | readonly string[] | ((offered: readonly string[]) => string | undefined);
}

/** The subprotocols the client offered, in its order. */
export function offeredProtocols(request: Request): string[] {
  const header = request.headers.get("sec-websocket-protocol");
  if (header === null) return [];
  return header.split(",").map((name) => name.trim()).filter((name) => name !== "");
}

/**
 * Whether `request` asks to become a WebSocket: a GET with
 * `Upgrade: websocket` (RFC 6455 §4.1).
 *
 * @example Branching on it
 * ```ts
 * import { isWebSocketRequest } from "@fetchkit/core";
 * const request = new Request("http://localhost/", { headers: { upgrade: "websocket" } });
 * isWebSocketRequest(request); // true
 * ```
 */
export function isWebSocketRequest(request: Request): boolean {
  if (request.method !== "GET") return false;
  const upgrade = request.headers.get("upgrade");
  return upgrade !== null && /(?:^|,)\s*websocket\s*(?:,|$)/i.test(upgrade);
}

function chooseProtocol(request: Request, wanted: UpgradeWebSocketOptions["protocol"]): string | undefined {
  if (wanted === undefined) return undefined;
  const offered = offeredProtocols(request);
  if (typeof wanted === "function") {
    const chosen = wanted(offered);
    if (chosen === undefined) return undefined;
    if (!offered.includes(chosen)) {
      throw new TypeError(`upgradeWebSocket: protocol() chose ${describe(chosen)}, which the client did not offer`);
    }
    return chosen;
  }
  const preferred = typeof wanted === "string" ? [wanted] : wanted;
  return preferred.find((name) => offered.includes(name));
}

function checkOptions(options: UpgradeWebSocketOptions, caller: string): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${caller}: options must be an object, got ${describe(options)}`);
  }
  const { protocol } = options;
  if (
    protocol !== undefined && typeof protocol !== "string" && typeof protocol !== "function" &&
    !(Array.isArray(protocol) && protocol.every((name) => typeof name === "string"))
  ) {
    throw new TypeError(
      `${caller}: protocol must be a string, an array of strings or a function, got ${describe(protocol)}`,
    );
  }
}

/** The context's upgrader: set by the server adapter that served the request. */
function upgraderOf(ctx: RequestContext): WebSocketUpgrader | undefined {
  return (ctx as RequestContext & { [UPGRADER]?: WebSocketUpgrader })[UPGRADER];
}

/** Why the disconnect signal aborts once the socket is gone. */
function socketClosed(): DOMException {
  return new DOMException("the WebSocket closed", "AbortError");
}

/**
 * From now on `context(request).signal` follows the socket: it aborts once
 * the connection is closed (the client went away, or either side closed it),
 * not when the 101 has been sent.
 */
function followSocket(ctx: RequestContext, socket: WebSocket): void {
  const controller = new AbortController();
  socket.addEventListener("close", () => controller.abort(socketClosed()), { once: true });
  ctx.signal = controller.signal;
}

/**
 * Switches `request` to a WebSocket: returns the server's end of the
 * connection (`socket`, with the standard `WebSocket` interface) and the
 * response the handler must return (`response`, a 101). Runs unchanged on
 * Deno, Bun, Node (fetchkit's server) and Workers, inside `mount`, `hosts`
 * and `match`.
 *
 * Throws a `TypeError` for a request that is not an upgrade
 * ({@linkcode isWebSocketRequest}; {@linkcode webSocket} answers those
 * 426 instead) and for one that came through no server that can upgrade it
 * (a Request built in a test, or `fetch` called by hand).
 *
 * Messages larger than the server's `limits.maxMessageSize` close the socket
 * with 1009. `socket.bufferedAmount` tells how much is still queued to send
 * (backpressure); the server keeps idle connections alive with pings where
 * the runtime does. `context(request).signal` aborts when the socket closes.
 *
 * @example An echo server
 * ```ts
 * import { serve, upgradeWebSocket } from "@fetchkit/core";
 * const app = (request: Request) => {
 *   const { socket, response } = upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * };
 * const server = await serve(app, { port: 0, onListen() {} });
 * await server.shutdown();
 * ```
 */
export function upgradeWebSocket(request: Request, options: UpgradeWebSocketOptions = {}): WebSocketUpgrade {
  checkOptions(options, "upgradeWebSocket");
  if (!isWebSocketRequest(request)) {
    throw new TypeError(
      `upgradeWebSocket: ${request.method} ${request.url} is not a WebSocket upgrade (a GET with "Upgrade: websocket")`,
    );
  }
  const ctx = context(request);
  const upgrader = upgraderOf(ctx);
  if (upgrader === undefined) {
    throw new TypeError(
      "upgradeWebSocket: this request came through no server that can upgrade it " +
        "(serve(), or defineApp under deno serve, bun or workerd)",
    );
  }
  // Deno forgets the connection's peer once the request is upgraded; read now, a logger still finds it.
  void ctx.remoteAddr;
  const upgrade = upgrader.upgrade(request, ctx.runtimeArgs, { protocol: chooseProtocol(request, options.protocol) });
  followSocket(ctx, upgrade.socket);
  noteSession(upgrade.response, upgrade.socket);
  return upgrade;
}

/** The answer to a plain request on a WebSocket endpoint (RFC 9110 §15.5.22: 426 names the protocol). */
export function upgradeRequired(): Response {
  return plainResponse(426, "Upgrade Required: this endpoint speaks WebSocket", {
    upgrade: "websocket",
    connection: "Upgrade",
  });
}

/**
 * A handler for a WebSocket endpoint: upgrades each WebSocket request and
 * gives `onSocket` the socket (with the request, for its URL, headers and
 * context); answers any other request `426 Upgrade Required` with
 * `Upgrade: websocket`.
 *
 * @example A chat endpoint inside a mount
 * ```ts
 * import { mount, webSocket } from "@fetchkit/core";
 * const peers = new Set<WebSocket>();
 * const app = mount({
 *   "/ws": webSocket((socket) => {
 *     socket.onopen = () => peers.add(socket);
 *     socket.onmessage = (event) => { for (const peer of peers) peer.send(event.data); };
 *     socket.onclose = () => peers.delete(socket);
 *   }, { protocol: "chat" }),
 * });
 * ```
 */
export function webSocket(
  onSocket: (socket: WebSocket, request: Request) => void,
  options: UpgradeWebSocketOptions = {},
): Handler {
  if (typeof onSocket !== "function") {
    throw new TypeError(`webSocket: onSocket must be a function (socket, request) => void, got ${describe(onSocket)}`);
  }
  checkOptions(options, "webSocket");
  return (request) => {
    if (!isWebSocketRequest(request)) return upgradeRequired();
    const { socket, response } = upgradeWebSocket(request, options);
    onSocket(socket, request);
    return response;
  };
}
