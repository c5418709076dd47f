/**
 * WebSockets on Bun: `server.upgrade()` and the server's `websocket`
 * handlers, which `serve()` passes to `Bun.serve` and `defineApp` exports
 * for `bun run`. Bun's `ServerWebSocket` is a handle with callbacks on the
 * server, not an EventTarget, so each one is wrapped in a
 * {@linkcode BunSocket} with the standard `WebSocket` interface.
 *
 * Bun switches the connection during `server.upgrade()` and calls `open`
 * at once; the standard 'open' event is dispatched a turn later, so a
 * handler that listens right after `upgradeWebSocket()` hears it.
 *
 * @module
 */
import type { UpgradeRequest, WebSocketUpgrade, WebSocketUpgrader } from "../../internal/upgrade.ts";
import { MessageListeners, SocketMessageEvent } from "../../internal/message_events.ts";

/** Bun's server end of a WebSocket (the part used here). */
interface ServerWebSocket {
  data: unknown;
  readyState: number;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount?(): number;
}

/** What `server.upgrade()` takes and answers, on the server the request came from. */
interface UpgradingServer {
  upgrade(request: Request, options: { data: unknown; headers?: Record<string, string> }): boolean;
  pendingRequests?: number;
}

type Listener = ((event: Event) => void) | null;
type SendData = string | ArrayBufferLike | Blob | ArrayBufferView;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * The close codes a server may send (RFC 6455 §7.4): a browser's API allows
 * only 1000 and 3000–4999 from the client, a server also says 1001 (going
 * away), 1008 (policy), 1011 (error) and the rest, as Deno's and `ws` do.
 */
function isSendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** A Bun `ServerWebSocket` as a standard `WebSocket`. */
export class BunSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;
  readonly url: string;
  readonly protocol: string;
  readonly extensions = "";
  binaryType: BinaryType = "arraybuffer";
  readyState = CONNECTING;
  #ws: ServerWebSocket | undefined;
  #handlers = new Map<string, Listener>();
  #messageListeners = new MessageListeners();
  /** Sends waiting for a Blob's bytes, so messages keep their order. */
  #sending: Promise<void> | undefined;

  constructor(url: string, protocol: string) {
    super();
    this.url = url;
    this.protocol = protocol;
  }

  override addEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (type === "message") this.#messageListeners.add(callback, options);
    else super.addEventListener(type, callback, options);
  }

  override removeEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (type === "message") this.#messageListeners.remove(callback);
    else super.removeEventListener(type, callback, options);
  }

  get bufferedAmount(): number {
    return this.#ws?.getBufferedAmount?.() ?? 0;
  }

  send(data: SendData): void {
    if (this.readyState === CONNECTING) throw new DOMException("the WebSocket is not open yet", "InvalidStateError");
    if (this.readyState !== OPEN) return;
    if (data instanceof Blob || this.#sending !== undefined) return this.#sendInOrder(data);
    this.#ws!.send(data as string | ArrayBuffer | ArrayBufferView);
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && !isSendableCode(code)) {
      throw new DOMException(`close code ${code} cannot be sent (RFC 6455 §7.4)`, "InvalidAccessError");
    }
    if (this.readyState >= CLOSING) return;
    this.readyState = CLOSING;
    this.#ws?.close(code, reason);
  }

  /** Closes as the server may and an app may not (1001 at shutdown). */
  closeAsServer(code: number, reason: string): void {
    if (this.readyState >= CLOSING) return;
    this.readyState = CLOSING;
    this.#ws?.close(code, reason);
  }

  #sendInOrder(data: SendData): void {
    const previous = this.#sending ?? Promise.resolve();
    const sent = previous.then(async () => {
      const bytes = data instanceof Blob ? await data.arrayBuffer() : data;
      if (this.readyState === OPEN) this.#ws!.send(bytes as string | ArrayBuffer | ArrayBufferView);
    });
    this.#sending = sent;
    void sent.finally(() => this.#sending === sent && (this.#sending = undefined));
  }

  /** Bun's `open`: the connection is switched. */
  opened(ws: ServerWebSocket): void {
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    setTimeout(() => this.#open(), 0);
  }

  #open(): void {
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.dispatchEvent(new Event("open"));
  }

  /** Bun's `message`. */
  received(message: string | ArrayBuffer): void {
    // The client may speak before the deferred 'open': it comes first all the same.
    if (this.readyState === CONNECTING) this.#open();
    const data = typeof message === "string" || this.binaryType !== "blob" ? message : new Blob([message]);
    this.#messageListeners.deliver(this, new SocketMessageEvent(this, data));
  }

  /** Bun's `close`: the closing handshake is over (or the connection was lost, 1006). */
  closed(code: number, reason: string): void {
    if (this.readyState === CONNECTING) this.#open();
    this.readyState = CLOSED;
    if (code === 1006) this.dispatchEvent(new Event("error"));
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean: code !== 1006 }));
  }

  get onopen(): Listener {
    return this.#handler("open");
  }
  set onopen(listener: Listener) {
    this.#setHandler("open", listener);
  }
  get onmessage(): Listener {
    return this.#handler("message");
  }
  set onmessage(listener: Listener) {
    this.#setHandler("message", listener);
  }
  get onclose(): Listener {
    return this.#handler("close");
  }
  set onclose(listener: Listener) {
    this.#setHandler("close", listener);
  }
  get onerror(): Listener {
    return this.#handler("error");
  }
  set onerror(listener: Listener) {
    this.#setHandler("error", listener);
  }

  #handler(type: string): Listener {
    return this.#handlers.get(type) ?? null;
  }

  /** An event handler attribute: one listener per type, replaced by the next assignment (HTML's rule). */
  #setHandler(type: string, listener: Listener): void {
    const previous = this.#handlers.get(type);
    if (previous) this.removeEventListener(type, previous);
    if (typeof listener !== "function") return void this.#handlers.delete(type);
    this.#handlers.set(type, listener);
    this.addEventListener(type, listener);
  }
}

/** The sockets one Bun server has open, to close them at shutdown. */
export class BunSockets {
  readonly open: Set<BunSocket> = new Set();
  #goingAway = false;

  /** Closes every socket with 1001 once the server has no HTTP request in flight. */
  async goAway(server: UpgradingServer): Promise<void> {
    this.#goingAway = true;
    while ((server.pendingRequests ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const socket of this.open) socket.closeAsServer(1001, "server shutting down");
  }

  /** The `websocket` handlers of `Bun.serve` (and of a `bun run` default export). */
  handlers(maxMessageSize: number): Record<string, unknown> {
    return {
      maxPayloadLength: maxMessageSize,
      // Bun pings an idle socket and closes it when no pong comes back.
      idleTimeout: 120,
      sendPings: true,
      open: (ws: ServerWebSocket) => {
        const socket = ws.data;
        if (!(socket instanceof BunSocket)) return;
        this.open.add(socket);
        socket.opened(ws);
        if (this.#goingAway) socket.closeAsServer(1001, "server shutting down");
      },
      message: (ws: ServerWebSocket, message: string | ArrayBuffer) => {
        if (ws.data instanceof BunSocket) ws.data.received(message);
      },
      close: (ws: ServerWebSocket, code: number, reason: string) => {
        if (!(ws.data instanceof BunSocket)) return;
        this.open.delete(ws.data);
        ws.data.closed(code, reason);
      },
    };
  }
}

/** The upgrader of the Bun server `server`. */
export function bunUpgrader(server: UpgradingServer): WebSocketUpgrader {
  return {
    upgrade(request: Request, _runtimeArgs: readonly unknown[], options: UpgradeRequest): WebSocketUpgrade {
      const { protocol } = options;
      const socket = new BunSocket(request.url.replace(/^http/, "ws"), protocol ?? "");
      const headers = protocol === undefined ? undefined : { "sec-websocket-protocol": protocol };
      if (!server.upgrade(request, { data: socket, headers })) {
        throw new TypeError("upgradeWebSocket: Bun refused the upgrade (an invalid WebSocket handshake)");
      }
      return { socket: socket as unknown as WebSocket, response: new Response(null, { status: 101 }) };
    },
  };
}

/** The sockets of the servers Bun starts itself from a default export (`bun run app.ts`). */
const appSockets = new BunSockets();

/** The `websocket` handlers a `bun run` default export carries ({@linkcode appSockets}). */
export function appWebSocketHandlers(maxMessageSize: number): Record<string, unknown> {
  return appSockets.handlers(maxMessageSize);
}
