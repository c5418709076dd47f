/**
 * WebSockets on fetchkit's Node server, with the `ws` package: an upgrade
 * request is answered by the app like any other (a Fetch Request through
 * the server's own request path, so the Host check, the context and every
 * middleware apply), and `upgradeWebSocket()` hands the connection to `ws`
 * (`noServer` + `handleUpgrade`). An answer other than the 101 (a 426, a
 * 403, a 404) is written to the connection as a normal response, which then
 * closes.
 *
 * It attaches to any Node server object that emits `'upgrade'` (`node:http`,
 * `node:https`, `node:http2` with `allowHTTP1`), so it does not care how the
 * server was made.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import type { WebSocket as NodeWebSocket, WebSocketServer } from "ws";
import type { UpgradeRequest, WebSocketUpgrade, WebSocketUpgrader } from "../internal/upgrade.ts";
import { MessageListeners, SocketMessageEvent } from "../internal/message_events.ts";
import type { NodeExchange } from "./exchange.ts";
import { sentRecord } from "./exchange.ts";

/** What the Node server gives {@linkcode attachWebSockets}. */
export interface WebSocketHost {
  /** The server: anything emitting `'upgrade'` with `(req, socket, head)`. */
  server: { on(event: "upgrade", listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown };
  /** Answers a request on `res`: the server's own request path. */
  respond(req: IncomingMessage, res: ServerResponse): void;
  /** Largest message in bytes; a larger one closes the socket with 1009. */
  maxMessageSize: number;
  /** Responses being written: the sockets are told to go away only once these are done. */
  active: ReadonlySet<ServerResponse>;
  /** The server's open connections: an upgraded one leaves it, so the HTTP drain never half-closes it. */
  sockets: Set<Socket>;
}

/** The WebSockets of one server. */
export interface NodeWebSockets {
  /** The context's upgrader for the requests of this server. */
  readonly upgrader: WebSocketUpgrader;
  /** Once in-flight HTTP responses are done, closes every socket with 1001; resolves once all are closed. */
  goAway(): Promise<void>;
  /** Cuts every socket at once (the shutdown deadline passed). */
  terminate(): void;
}

/** A handshake on its way through the app. */
interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  res: ServerResponse;
  /** The subprotocol the app agreed on, read by `ws` while it answers. */
  protocol: string | undefined;
}

type WsModule = typeof import("ws");
let wsModule: Promise<WsModule> | undefined;
/**
 * A variable, not a literal: a bundler making a Worker of an app follows
 * literal imports, and `ws` needs Node's built-ins (a Worker never upgrades here).
 */
const WS_PACKAGE = "ws";

/** Seconds between the pings that keep idle sockets alive and find dead ones. */
const PING_EVERY_MS = 30_000;
/** How often the drain looks whether in-flight HTTP responses are done. */
const DRAIN_POLL_MS = 10;

/**
 * Handles `'upgrade'` on `host.server`. `ws` is loaded on the first upgrade:
 * a server that never sees one never loads it.
 */
export function attachWebSockets(host: WebSocketHost): NodeWebSockets {
  const sockets = new NodeSocketSet(host);
  host.server.on("upgrade", (req, socket, head) => void sockets.arrived(req, socket, head));
  return sockets;
}

/** The pending handshakes and open sockets of one server. */
class NodeSocketSet implements NodeWebSockets, WebSocketUpgrader {
  readonly upgrader: WebSocketUpgrader = this;
  #host: WebSocketHost;
  #pending = new WeakMap<IncomingMessage, PendingUpgrade>();
  #open = new Set<NodeWebSocket>();
  #server: WebSocketServer | undefined;
  #pinger: ReturnType<typeof setInterval> | undefined;
  #alive = new WeakSet<NodeWebSocket>();
  #goingAway = false;

  constructor(host: WebSocketHost) {
    this.#host = host;
  }

  /** An upgrade request: through the app, on a response of its own over the raw connection. */
  async arrived(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const ws = await (wsModule ??= import(WS_PACKAGE) as Promise<WsModule>);
    this.#server ??= new ws.WebSocketServer({
      noServer: true,
      maxPayload: this.#host.maxMessageSize,
      handleProtocols: (_offered, request) => this.#pending.get(request)?.protocol ?? false,
    });
    const { ServerResponse } = await import("node:http");
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    // The HTTP parser has let go of this connection: after a non-101 answer, it closes.
    res.shouldKeepAlive = false;
    res.once("finish", () => socket.end());
    this.#pending.set(req, { socket, head, res, protocol: undefined });
    socket.once("close", () => this.#pending.delete(req));
    this.#host.respond(req, res);
  }

  upgrade(_request: Request, runtimeArgs: readonly unknown[], options: UpgradeRequest): WebSocketUpgrade {
    const req = (runtimeArgs[0] as NodeExchange | undefined)?.incoming;
    const pending = req === undefined ? undefined : this.#pending.get(req);
    if (req === undefined || pending === undefined || this.#server === undefined) {
      throw new TypeError("upgradeWebSocket: this request reached the server as plain HTTP, not as an Upgrade");
    }
    pending.protocol = options.protocol;
    const { socket, head, res } = pending;
    let upgraded: NodeWebSocket | undefined;
    // `ws` answers synchronously (no permessage-deflate, no verifyClient), or refuses the handshake with a 400 itself.
    this.#server.handleUpgrade(req, socket, head, (ws) => (upgraded = ws));
    this.#pending.delete(req);
    // From here the connection is the socket's: the response object must write nothing more on it.
    res.detachSocket(socket as Socket);
    res.destroy();
    if (upgraded === undefined) throw new TypeError("upgradeWebSocket: invalid WebSocket handshake (answered 400)");
    this.#host.sockets.delete(socket as Socket);
    this.#opened(upgraded);
    return { socket: upgraded as unknown as WebSocket, response: sentRecord(res, 101) };
  }

  #opened(ws: NodeWebSocket): void {
    ws.binaryType = "arraybuffer";
    standardMessages(ws);
    this.#open.add(ws);
    this.#alive.add(ws);
    ws.on("pong", () => this.#alive.add(ws));
    // An 'error' nobody listens to would end the process; the app hears it as 'error' and 'close' events.
    ws.on("error", () => {});
    ws.once("close", () => this.#open.delete(ws));
    this.#startPinging();
    // `ws` hands over an open socket; the standard 'open' event comes once the handler had its turn to listen.
    setImmediate(() => ws.emit("open"));
    if (this.#goingAway) setImmediate(() => ws.close(1001, "server shutting down"));
  }

  /** One timer for every socket: a socket that did not answer the last ping is cut, the others pinged. */
  #startPinging(): void {
    if (this.#pinger !== undefined) return;
    this.#pinger = setInterval(() => {
      for (const ws of this.#open) {
        if (!this.#alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.#alive.delete(ws);
        ws.ping();
      }
      if (this.#open.size === 0) this.#stopPinging();
    }, PING_EVERY_MS);
    this.#pinger.unref();
  }

  #stopPinging(): void {
    clearInterval(this.#pinger);
    this.#pinger = undefined;
  }

  async goAway(): Promise<void> {
    this.#goingAway = true;
    while (this.#host.active.size > 0) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    const closed = [...this.#open].map((ws) => new Promise<void>((resolve) => ws.once("close", () => resolve())));
    for (const ws of this.#open) ws.close(1001, "server shutting down");
    await Promise.all(closed);
    this.#stopPinging();
  }

  terminate(): void {
    for (const ws of this.#open) ws.terminate();
    this.#stopPinging();
  }
}

type MessageHandler = ((event: MessageEvent) => void) | null;

/**
 * Gives a `ws` socket standard 'message' events (`ws` has event classes of
 * its own): `addEventListener("message")`, `removeEventListener` and
 * `onmessage` go to a {@linkcode MessageListeners}, fed from `ws`'s own
 * 'message', with text as a string and binary as `binaryType` says.
 */
function standardMessages(ws: NodeWebSocket): void {
  const listeners = new MessageListeners();
  const target = ws as unknown as EventTarget;
  const add = ws.addEventListener.bind(ws) as EventTarget["addEventListener"];
  const remove = ws.removeEventListener.bind(ws) as EventTarget["removeEventListener"];
  let handler: MessageHandler = null;
  const addEventListener: EventTarget["addEventListener"] = (type, callback, options) =>
    type === "message" ? listeners.add(callback, options) : add(type, callback, options);
  const removeEventListener: EventTarget["removeEventListener"] = (type, callback, options) =>
    type === "message" ? listeners.remove(callback) : remove(type, callback, options);
  Object.defineProperties(ws, {
    addEventListener: { value: addEventListener },
    removeEventListener: { value: removeEventListener },
    onmessage: {
      get: () => handler,
      set(value: MessageHandler) {
        if (handler !== null) listeners.remove(handler as EventListener);
        handler = typeof value === "function" ? value : null;
        if (handler !== null) listeners.add(handler as EventListener);
      },
    },
  });
  ws.on("message", (data, isBinary) => {
    listeners.deliver(target, new SocketMessageEvent(target, isBinary ? data : data.toString()));
  });
}
