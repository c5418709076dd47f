/**
 * Node → Fetch: run an Express, Connect or plain `(req, res)` app as a fetchkit
 * handler, on Node and on Deno and Bun through their `node:http`.
 *
 * Why a socket and not a hand-written `res`: Express replaces the prototypes of
 * `req` and `res` with its own (which inherit from `node:http`), so methods put
 * on a subclass vanish. The objects handed to the app are therefore the
 * runtime's genuine `IncomingMessage` and `ServerResponse`, and the bridge sits
 * where the network would: a `Duplex` socket that receives the serialized
 * response (an HTTP head, then the body) and turns it into a Fetch Response.
 * The request body is fed to `req` by an own `_read`, which survives the
 * prototype swap. No real socket, no HTTP parser round trip for the request.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { context } from "../context.ts";
import { pass } from "../pass.ts";
import type { Handler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { ChunkedDecoder } from "../node/chunked.ts";
import { LightRequest } from "../node/light_request.ts";
import type { NodePair } from "../serve/adapters/node.ts";
import { runDirect } from "../node/app_direct.ts";
import { errorResponse, errorStatus } from "../node/errors.ts";
import { pathAndQuery } from "../internal/url.ts";
import { type NodeBuiltins, nodeBuiltins } from "../node/builtins.ts";
import { isNullBodyStatus } from "../internal/http.ts";

/**
 * Connect's `next`: no argument declines the request, an error fails it.
 *
 * @example
 * ```ts
 * import type { NodeNext } from "@fetchkit/core";
 * const next: NodeNext = (error) => error && console.error(error);
 * ```
 */
export type NodeNext = (error?: unknown) => void;

/**
 * A Node request listener or Connect/Express middleware: `(req, res, next)`.
 * An Express or Connect app is one.
 *
 * @example
 * ```ts
 * import type { NodeListener } from "@fetchkit/core";
 * const hello: NodeListener = (_req, res) => res.end("hello");
 * ```
 */
export type NodeListener<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
> = (req: Req, res: Res, next: NodeNext) => unknown;

const kSocket = Symbol("fetchkit bridge socket");

/** What Express reads on `req` besides the `node:http` fields. */
interface BridgedRequest extends IncomingMessage {
  baseUrl?: string;
  originalUrl?: string;
  [kSocket]?: BridgeSocket;
}

const CRLFCRLF = "\r\n\r\n";
const HIGH_WATER_MARK = 64 * 1024;
// Hop-by-hop (RFC 9110 §7.6.1): they describe the virtual connection, not the message.
const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer"]);

function reasonBody(http: NodeBuiltins["http"], status: number): string {
  return `${http.STATUS_CODES[status] ?? "Error"}\n`;
}

/** The socket type, built once per process from the runtime's `node:stream`. */
type BridgeSocketClass = new (request: Request, http: NodeBuiltins["http"]) => BridgeSocket;

interface BridgeSocket extends Duplex {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  encrypted?: boolean;
  response: Promise<Response>;
  attach(req: BridgedRequest, res: ServerResponse, signal: AbortSignal): void;
  next(error?: unknown): void;
  fail(error: unknown): void;
  abort(reason?: unknown): void;
  pumpBody(): void;
}

let socketClass: BridgeSocketClass | undefined;

function bridgeSocketClass({ stream }: NodeBuiltins): BridgeSocketClass {
  if (socketClass) return socketClass;
  socketClass = class extends stream.Duplex implements BridgeSocket {
    remoteAddress: string | undefined = undefined;
    remotePort: number | undefined = undefined;
    response: Promise<Response>;
    #request: Request;
    #http: NodeBuiltins["http"];
    #req!: BridgedRequest;
    #res!: ServerResponse;
    #signal!: AbortSignal;
    #resolve!: (response: Response) => void;
    /** The Response has been handed out. */
    #settled = false;
    /** The response head has been read (interim 1xx heads are skipped). */
    #headRead = false;
    #partialHead: Buffer | undefined;
    #status = 200;
    #statusText = "";
    #headers: [string, string][] | undefined;
    #hasLength = false;
    /** Body bytes written before the Response was handed out. */
    #pending: Uint8Array[] = [];
    #pendingBytes = 0;
    #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    /** The write callback held back while the consumer is not reading (backpressure). */
    #blocked: (() => void) | undefined;
    /** `res` finished and every byte reached the socket. */
    #ended = false;
    #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    #reading = false;
    #timer: ReturnType<typeof setTimeout> | undefined;
    /** Set when the app itself asked for chunked framing, which Node then applies. */
    #chunked: ChunkedDecoder | undefined;
    #onAbort = () => this.abort();

    constructor(request: Request, http: NodeBuiltins["http"]) {
      super({ highWaterMark: HIGH_WATER_MARK, allowHalfOpen: true });
      this.#request = request;
      this.#http = http;
      this.response = new Promise((resolve) => (this.#resolve = resolve));
    }

    attach(req: BridgedRequest, res: ServerResponse, signal: AbortSignal): void {
      this.#req = req;
      this.#res = res;
      this.#signal = signal;
      res.once("finish", endSocket);
      this.on("drain", forwardDrain);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }

    // The request body: pulled from the Fetch body only when the app reads, one read in flight.
    pumpBody(): void {
      if (this.#reading) return;
      this.#reading = true;
      const reader = this.#reader ??= this.#request.body!.getReader();
      reader.read().then(({ done, value }) => {
        this.#reading = false;
        const req = this.#req;
        if (req.destroyed) return;
        if (done) {
          req.complete = true;
          req.push(null);
        } else if (value.byteLength === 0 || req.push(value)) {
          // Below the high-water mark: keep filling without waiting for the next `_read`.
          this.pumpBody();
        }
      }, (error: unknown) => {
        this.#reading = false;
        if (!this.#req.destroyed) this.#req.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    }

    override _read(): void {
      // The request body reaches `req` directly, never through the socket.
    }

    override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
      let body: Uint8Array | undefined = chunk;
      if (!this.#headRead) body = this.#readHead(chunk);
      if (body === undefined || body.byteLength === 0 || this.#discardsBody()) return callback();
      if (this.#chunked) {
        const parts = this.#chunked.push(body);
        if (parts.length !== 1) body = concatChunks(parts);
        else body = parts[0];
        if (body.byteLength === 0) return callback();
      }
      const controller = this.#controller;
      if (controller === undefined) {
        this.#pending.push(body);
        this.#pendingBytes += body.byteLength;
        // Until the Response is out, hold the writer back past the high-water mark too.
        if (this.#pendingBytes < HIGH_WATER_MARK) callback();
        else this.#blocked = callback;
        return;
      }
      controller.enqueue(body);
      if ((controller.desiredSize ?? 1) > 0) callback();
      else this.#blocked = callback;
    }

    override _final(callback: () => void): void {
      this.#ended = true;
      if (this.#controller) this.#close();
      else if (!this.#settled && !this.#headRead) this.#settle(new Response(null, { status: 500 }));
      callback();
      // Node's server emits 'close' on `res` once it finished; destroying the socket does the same here.
      queueMicrotask(() => this.destroy());
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      clearTimeout(this.#timer);
      this.#signal?.removeEventListener("abort", this.#onAbort);
      if (!this.#ended) {
        // Torn down before the response was complete: the app destroyed it, or the client left.
        const reason = error ?? new Error("the Node app closed the connection before finishing the response");
        if (this.#controller) {
          try {
            this.#controller.error(reason);
          } catch { /* already closed */ }
        }
        this.#settle(new Response(reasonBody(this.#http, 502), { status: 502 }));
        this.#reader?.cancel(reason).catch(() => {});
      }
      this.#unblock();
      // No error is re-emitted: nobody listens on this socket, and an unheard 'error' would crash the process.
      callback();
    }

    /** Connect's `next`, after the app declined (no argument) or failed. */
    next(error?: unknown): void {
      if (this.#settled || this.#headRead || this.#res.headersSent) {
        if (error !== undefined && error !== null) console.error(error);
        return;
      }
      if (error === undefined || error === null || error === "route" || error === "router") this.#settle(pass());
      else this.fail(error);
      this.#ended = true;
      this.destroy();
    }

    /** The app threw or rejected. */
    fail(error: unknown): void {
      const status = errorStatus(error);
      if (status >= 500) console.error(error);
      if (this.#settled || this.#headRead) return void this.destroy();
      this.#settle(errorResponse(this.#http.STATUS_CODES, status));
      this.#ended = true;
      this.destroy();
    }

    setTimeout(ms: number, callback?: () => void): this {
      if (callback) this.once("timeout", callback);
      clearTimeout(this.#timer);
      if (ms > 0) this.#timer = setTimeout(() => this.emit("timeout"), ms);
      return this;
    }
    setNoDelay(): this {
      return this;
    }
    setKeepAlive(): this {
      return this;
    }
    ref(): this {
      return this;
    }
    unref(): this {
      return this;
    }

    /** Reads the response head from the first bytes; returns the body bytes after it. */
    #readHead(chunk: Buffer): Buffer | undefined {
      const bytes = this.#partialHead ? concatBuffers(this.#partialHead, chunk) : chunk;
      const end = bytes.indexOf(CRLFCRLF, 0, "latin1");
      if (end < 0) {
        this.#partialHead = bytes;
        return undefined;
      }
      this.#partialHead = undefined;
      const text = bytes.toString("latin1", 0, end);
      const status = Number(text.slice(9, 12));
      const rest = bytes.subarray(end + 4);
      // 100 Continue, 103 Early Hints: Fetch has no interim responses; the final head follows.
      if (status < 200) return rest.byteLength > 0 ? this.#readHead(rest) : undefined;
      const headers: [string, string][] = [];
      let lineEnd = text.indexOf("\r\n");
      this.#statusText = text.slice(13, lineEnd < 0 ? text.length : lineEnd);
      while (lineEnd >= 0) {
        const start = lineEnd + 2;
        lineEnd = text.indexOf("\r\n", start);
        const line = lineEnd < 0 ? text.slice(start) : text.slice(start, lineEnd);
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).toLowerCase();
        // Node writes `name: value`; a value is never empty of its leading space.
        const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
        if (hopByHop.has(name)) {
          if (name === "transfer-encoding" && /chunked/i.test(value)) this.#chunked = new ChunkedDecoder();
          continue;
        }
        if (name === "content-length") this.#hasLength = true;
        headers.push([name, value]);
      }
      this.#status = status;
      this.#headers = headers;
      this.#headRead = true;
      // Most apps end the response in the same tick (`res.send`): wait one microtask
      // and hand out the whole body as bytes, with no stream at all.
      queueMicrotask(() => this.#respond());
      return rest;
    }

    #discardsBody(): boolean {
      return isNullBodyStatus(this.#status) || this.#req.method === "HEAD";
    }

    #respond(): void {
      if (this.#settled) return;
      try {
        this.#makeResponse();
      } catch (error) {
        // What Node accepts and Fetch does not (a status above 599): a bad gateway, not a crash.
        console.error(error);
        this.#settle(new Response(reasonBody(this.#http, 502), { status: 502 }));
        this.#ended = true;
        this.destroy();
      }
    }

    #makeResponse(): void {
      const init = { status: this.#status, statusText: this.#statusText, headers: this.#headers };
      if (this.#discardsBody()) return this.#settle(new Response(null, init));
      // Complete only if every byte already reached `_write` (none waits in the socket's buffer).
      if (this.#ended || (this.#res.writableEnded && this.writableLength === 0 && this.#blocked === undefined)) {
        const body = concatChunks(this.#pending);
        this.#pending = [];
        if (!this.#hasLength) this.#headers!.push(["content-length", String(body.byteLength)]);
        return this.#settle(new Response(body as Uint8Array<ArrayBuffer>, init));
      }
      const pending = this.#pending;
      this.#pending = [];
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          for (const chunk of pending) controller.enqueue(chunk);
          this.#controller = controller;
          if (this.#ended) this.#close();
        },
        pull: () => this.#unblock(),
        cancel: (reason) => {
          this.#controller = undefined;
          this.abort(reason);
        },
      }, { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength });
      this.#settle(new Response(body, init));
    }

    #settle(response: Response): void {
      if (this.#settled) return;
      this.#settled = true;
      this.#resolve(response);
    }

    #unblock(): void {
      const callback = this.#blocked;
      this.#blocked = undefined;
      callback?.();
    }

    #close(): void {
      try {
        this.#controller?.close();
      } catch { /* cancelled meanwhile */ }
    }

    /** The client went away: what Node's server does when its socket closes early. */
    abort(reason?: unknown): void {
      if (this.#ended || this.destroyed) return;
      const req = this.#req;
      // `destroy()` on an incomplete request emits 'aborted' then 'close', as on a real disconnect.
      if (!req.destroyed) req.destroy();
      this.destroy(reason instanceof Error ? reason : undefined);
    }
  };
  return socketClass;
}

function concatBuffers(a: Buffer, b: Buffer): Buffer {
  return (a.constructor as typeof Buffer).concat([a, b]);
}

function concatChunks(chunks: Uint8Array[]): Uint8Array {
  // Chunks are Buffers over ArrayBuffers (never shared memory).
  if (chunks.length === 1) return chunks[0];
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

let kNeedDrain: symbol | null | undefined;

// Node's HTTP server, not ServerResponse, turns its socket's 'drain' into the
// response's: without it `res.write() === false` waits forever (`req.pipe(res)`).
function forwardDrain(this: BridgeSocket): void {
  const res = (this as unknown as { _httpMessage?: ServerResponse & Record<symbol, boolean> })._httpMessage;
  if (!res || res.writableEnded) return;
  // The flag is internal; found once by its name, so `writableNeedDrain` reads false again.
  kNeedDrain ??= Object.getOwnPropertySymbols(res).find((key) => key.description === "kNeedDrain") ?? null;
  if (kNeedDrain) {
    if (!res[kNeedDrain]) return;
    res[kNeedDrain] = false;
  }
  res.emit("drain");
}

function endSocket(this: ServerResponse): void {
  this.socket?.end();
}

// Shared by every bridged request (an own property survives Express's prototype swap).
function readBody(this: BridgedRequest): void {
  this[kSocket]!.pumpBody();
}

/**
 * Runs a Node `(req, res)` app (Express, Connect, a `node:http` listener) as a
 * fetchkit handler, without a socket: the app gets the runtime's own
 * `IncomingMessage` and `ServerResponse`, fed from the Request and turned back
 * into a Response as it writes.
 *
 * - Under a mount at `/p`, `req.url` is the path below the prefix, `req.baseUrl`
 *   is `/p` and `req.originalUrl` the full path, as Express sets them for a
 *   sub-app.
 * - Bodies stream both ways with backpressure; a response finished in the tick
 *   it started (`res.send`) becomes a plain byte body.
 * - When the client goes away, `req` emits `'aborted'` and `'close'`, and `res`
 *   `'close'` (so `res.sendFile` closes its file).
 * - The app's `next()` (a Connect/Express app that matched nothing) answers
 *   {@linkcode pass}, so dispatch tries the next candidate; `next(error)`
 *   answers the error's 4xx/5xx `status`, or 500.
 *
 * - On fetchkit's own Node server, a request that is still exactly as it
 *   arrived (no body, headers not read by anything before the app) skips the
 *   copies: the app gets the server's real `req` and `res` and writes to the
 *   client itself, as fast as on `node:http` alone. Middleware around it then
 *   receives a body-less record of the status and headers sent (enough to log
 *   and measure), and headers it adds can no longer reach the client.
 *
 * Works on Node, Deno and Bun (through `node:http`); a TypeError at
 * construction on runtimes without it.
 *
 * @example An Express app under /legacy
 * ```ts ignore
 * import express from "express";
 * import { fromNode, mount, serve } from "@fetchkit/core";
 * const legacy = express();
 * legacy.get("/users", (req, res) => res.json({ baseUrl: req.baseUrl, url: req.url }));
 * await serve(mount({ "/legacy": fromNode(legacy) }));
 * ```
 */
export function fromNode<Req extends IncomingMessage, Res extends ServerResponse>(
  app: NodeListener<Req, Res>,
): Handler {
  if (typeof app !== "function") {
    throw new TypeError(`fromNode: app must be a function (req, res, next), got ${describe(app)}`);
  }
  const builtins = nodeBuiltins("fromNode");
  const { IncomingMessage, ServerResponse } = builtins.http;
  const Socket = bridgeSocketClass(builtins);

  return function bridged(request: Request): Response | Promise<Response> {
    const ctx = context(request);
    const native = LightRequest.untouchedNative(request) as NodePair | undefined;
    if (native !== undefined) {
      return runDirect(app as NodeListener, request, ctx, native.incoming, native.outgoing, builtins.http.STATUS_CODES);
    }
    const url = request.url;
    const socket = new Socket(request, builtins.http);
    const remote = ctx.remoteAddr;
    if (remote) {
      socket.remoteAddress = remote.hostname;
      socket.remotePort = remote.port;
    }
    if (url.startsWith("https:")) socket.encrypted = true;

    const req = new IncomingMessage(socket as never) as BridgedRequest;
    req.method = request.method;
    req.url = pathAndQuery(url);
    if (ctx.base !== "") {
      req.baseUrl = ctx.base;
      req.originalUrl = pathAndQuery(ctx.originalUrl);
    }
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.httpVersion = "1.1";
    const headers: Record<string, string | string[]> = {};
    const raw: string[] = [];
    for (const [name, value] of request.headers) {
      raw.push(name, value);
      headers[name] = value;
    }
    if (headers.host === undefined) {
      const authority = new URL(url).host;
      headers.host = authority;
      raw.push("host", authority);
    }
    if (request.body === null) {
      req.complete = true;
      req.push(null);
    } else {
      // Body parsers look for one of these before reading (HTTP/2 requests carry neither).
      if (headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) {
        headers["transfer-encoding"] = "chunked";
        raw.push("transfer-encoding", "chunked");
      }
      req[kSocket] = socket;
      req._read = readBody;
    }
    req.headers = headers as IncomingMessage["headers"];
    req.rawHeaders = raw;

    const res = new ServerResponse(req);
    res.sendDate = false;
    // Raw bytes, not chunked framing, unless the app asks for it (then it is unframed on reading);
    // a complete body gets its Content-Length when the Response is made.
    res.useChunkedEncodingByDefault = false;
    res.assignSocket(socket as never);
    const signal = ctx.signal;
    socket.attach(req, res, signal);

    try {
      const result = app(req as Req, res as Res, (error) => socket.next(error));
      if (result instanceof Promise) result.catch((error) => socket.fail(error));
    } catch (error) {
      socket.fail(error);
    }
    if (signal.aborted) socket.abort();
    return socket.response;
  };
}
