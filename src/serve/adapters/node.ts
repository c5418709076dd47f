/**
 * Node adapter: `node:http` with a Fetch bridge of our own (IncomingMessage to
 * Request, Response to ServerResponse), streaming both ways with backpressure.
 *
 * Why our own bridge: it is the hot path of every request on Node, so it does
 * only what a Fetch handler can observe. By default handlers get a light
 * Request and answer with the light global Response (src/node/light_request.ts,
 * light_globals.ts): a whole body is written with one `end()`, and undici's
 * objects are built only when something needs them. With `overrideGlobals:
 * false` the Request is undici's, with its headers in one pass over
 * `rawHeaders` and no AbortSignal of its own (undici's signal following is the
 * most expensive part of constructing one); either way the disconnect signal
 * (`context(request).signal`) is created on first use.
 *
 * @module
 */
import type { IncomingMessage, Server as NodeHttpServer, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { bindContext, context, type ContextInit, type RemoteAddress, type RequestContext } from "../../context.ts";
import { internalError, invoke } from "../invoke.ts";
import { BodyGuard, limitReason } from "../limits.ts";
import type { AdapterInput, AdapterServer } from "../types.ts";
import { drainOrClose } from "../../node/drain.ts";
import { drainServer, endWhenIdle, isEnding } from "../../node/server_drain.ts";
import { installLightGlobals, type LightParts, LightResponse } from "../../node/light_globals.ts";
import { LightRequest } from "../../node/light_request.ts";
import { isResponse } from "../../internal/is_response.ts";
import { HostCheck, isHttpUrlWithHost } from "../../internal/host.ts";
import { noteCutStream } from "../uncaught.ts";

/** The Node objects of one request, as handlers find them in `context(request).runtimeArgs[0]`. */
export interface NodePair {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

interface NodeState {
  input: AdapterInput;
  /** The Host check, remembering the last Host accepted. */
  hosts: HostCheck;
  draining: boolean;
  /** Responses being written, told to close their connection when draining starts. */
  active: Set<ServerResponse>;
  /** Every open connection, to close the ones without a request at shutdown. */
  sockets: Set<Socket>;
  server: NodeHttpServer;
  /** Light Request and Response objects (light_globals.ts) are in use. */
  light: boolean;
  /** The context init of every request; what varies per request is its {@linkcode NodePair}, in `runtimeArgs`. */
  init: ContextInit;
}

const pairOf = (context: RequestContext) => context.runtimeArgs[0] as NodePair;

function clientAddress(_request: Request, context: RequestContext): RemoteAddress | undefined {
  const { socket } = pairOf(context).incoming;
  return socket.remoteAddress ? { hostname: socket.remoteAddress, port: socket.remotePort ?? 0 } : undefined;
}

/** Serves with `node:http`. */
export async function serveNode(input: AdapterInput): Promise<AdapterServer> {
  // Loaded here, not at the top: a Workers bundle of mod.ts includes this
  // module, and a static node: import would make every Worker need nodejs_compat.
  const { createServer } = await import("node:http");
  const { limits } = input;
  const server = createServer({
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: limits.requestTimeout,
    headersTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.idleTimeout,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.max(250, Math.min(30_000, limits.requestTimeout / 4)),
  });
  if (input.overrideGlobals) installLightGlobals();
  const state: NodeState = {
    input,
    hosts: new HostCheck(),
    draining: false,
    active: new Set(),
    sockets: new Set(),
    server,
    light: input.overrideGlobals,
    init: {
      remoteAddr: clientAddress,
      waitUntil: input.track,
      // A light Request's own signal is the disconnect signal, which the context reads by default.
      signal: input.overrideGlobals ? undefined : (_request, context) => disconnectSignal(pairOf(context).outgoing),
    },
  };
  server.on("connection", (socket: Socket) => {
    state.sockets.add(socket);
    socket.once("close", () => state.sockets.delete(socket));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => respond(state, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // Workers on Node share the port through node:cluster, so no reusePort here.
    server.listen({ port: input.port, host: input.hostname }, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        runtime: "node",
        close: () => {
          // Mid-response connections are answered with `Connection: close` (or
          // closed once their response ends); every other one, including one that
          // never sent a request (browsers open them ahead of time), is closed
          // without a reset (src/node/server_drain.ts).
          state.draining = true;
          return drainServer(state);
        },
        forceClose: () => Promise.resolve(server.closeAllConnections()),
      });
    });
  });
}

/** Where `rawHeaders` holds the Host value: its index, -1 when there is none, -2 when there are two. */
function hostIndex(raw: readonly string[]): number {
  let found = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === "host") {
      if (found >= 0) return -2;
      found = i + 1;
    }
  }
  return found;
}

/**
 * Why a Node request cannot be served as addressed, or `undefined` when it can
 * (RFC 9112 §3.2): one valid Host, and a target that is a path or an
 * `http(s)` URL with a valid host (absolute-form, whose authority is the one
 * used). Node itself refuses HTTP/1.1 without Host; HTTP/1.0 without one is
 * refused here too, as on Deno and Bun, which cannot tell the versions apart.
 * `at`: the Host's {@linkcode hostIndex}.
 */
function hostRefusal(req: IncomingMessage, at: number, check: HostCheck): string | undefined {
  if (at === -1) return "missing Host header";
  if (at === -2) return "more than one Host header";
  if (!check.accepts(req.rawHeaders[at])) return "invalid Host header";
  const target = req.url ?? "/";
  if (target.charCodeAt(0) === 47 /* / */ || isHttpUrlWithHost(target)) return undefined;
  return "invalid request target";
}

/** The absolute URL of a Node request that passed {@linkcode hostRefusal}, whose Host is `host`. */
function urlOf(req: IncomingMessage, host: string): string {
  const target = req.url ?? "/";
  if (target.charCodeAt(0) !== 47 /* / */) return target; // absolute-form (a proxy request)
  return `http://${host}${target}`;
}

/** Builds the Fetch Request for a Node request; `undefined` when its URL or Host is unusable. */
function toRequest(req: IncomingMessage, host: string, guard: BodyGuard | undefined): Request | undefined {
  const url = urlOf(req, host);
  const raw = req.rawHeaders;
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  try {
    // A GET gets the smallest init undici accepts: every key costs on this path.
    if (guard === undefined && method === "GET") return new Request(url, { headers });
    return new Request(url, {
      method,
      headers,
      body: guard ? readableFrom(req, guard) : null,
      // @ts-ignore: `duplex` is required by Node's fetch for streaming bodies but missing from the DOM types.
      duplex: "half",
    });
  } catch {
    return undefined;
  }
}

/** The same as {@linkcode toRequest}, as a {@linkcode LightRequest}. */
function toLightRequest(
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  guard: BodyGuard | undefined,
  native: NodePair,
): Request {
  return new LightRequest(urlOf(req, host), req.method ?? "GET", {
    rawHeaders: req.rawHeaders,
    body: guard ? () => readableFrom(req, guard) : undefined,
    signal: () => disconnectSignal(res),
    native,
  }) as unknown as Request;
}

/** A byte stream over a Node readable, pulling only when the consumer wants more, counted by the guard. */
function readableFrom(req: IncomingMessage, guard: BodyGuard): ReadableStream<Uint8Array> {
  // Once the consumer cancels, the rest of the body is drained and dropped, not enqueued.
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      guard.onRefuse = () => {
        controller.error(new Error(`request body refused (${guard.refused})`));
        req.pause();
      };
      req.on("data", (chunk: Buffer) => {
        if (cancelled || !guard.count(chunk.byteLength)) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        guard.done();
        if (!guard.refused && !cancelled) controller.close();
      });
      req.once("error", (error) => {
        guard.done();
        if (!guard.refused && !cancelled) controller.error(error);
      });
    },
    pull() {
      if (!guard.refused) req.resume();
    },
    cancel() {
      cancelled = true;
      guard.done();
      req.resume(); // drain what is left so the connection stays usable
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}

function hasBody(req: IncomingMessage): boolean {
  const method = req.method;
  if (method === "GET" || method === "HEAD") return false;
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

function respond(state: NodeState, req: IncomingMessage, res: ServerResponse) {
  // Read after the drain half-closed the connection: no answer can reach the client, which saw a clean close.
  if (state.draining && isEnding(req.socket)) return void req.resume();
  const { input } = state;
  const { limits } = input;
  const hostAt = hostIndex(req.rawHeaders);
  const refused = hostRefusal(req, hostAt, state.hosts);
  if (refused !== undefined) return badRequest(req, res, refused);
  const host = req.rawHeaders[hostAt];
  let guard: BodyGuard | undefined;
  // Node decodes the chunked framing of `gzip, chunked` and would hand the
  // still-gzipped bytes on as the body: a coding we do not decode is 501.
  const coding = req.headers["transfer-encoding"];
  if (coding !== undefined && coding.trim().toLowerCase() !== "chunked") return refuse(req, res, 501);
  if (hasBody(req)) {
    const declared = Number(req.headers["content-length"]);
    if (declared > limits.maxBodySize) return refuse(req, res, 413);
    guard = new BodyGuard(limits.maxBodySize);
  }
  const native: NodePair = { incoming: req, outgoing: res };
  const request = state.light ? toLightRequest(req, res, host, guard, native) : toRequest(req, host, guard);
  if (request === undefined) return badRequest(req, res, "invalid URL");
  bindContext(request, state.init, [native]);
  state.active.add(res);
  if (state.draining) res.shouldKeepAlive = false;
  // A handler that answers synchronously with a whole body is written without
  // a single promise: on a hello world, each microtask hop shows in req/s.
  const result = invoke(input.handler, request, guard);
  let written: Promise<void> | void;
  try {
    written = isResponse(result)
      ? writeResponse(result, request, req, res)
      : result.then((response) => writeResponse(response, request, req, res));
  } catch (error) {
    written = Promise.reject(error);
  }
  if (written === undefined) return finished(state, res);
  written.then(
    () => finished(state, res),
    (error) => {
      console.error(error);
      res.destroy();
      finished(state, res);
    },
  );
}

/** Forgets a response once written; while draining, closes the connection it leaves idle. */
function finished(state: NodeState, res: ServerResponse): void {
  state.active.delete(res);
  if (state.draining) {
    const socket = res.req.socket;
    const closeIdle = () => endWhenIdle(state, socket);
    if (res.writableFinished) closeIdle();
    else res.once("finish", closeIdle);
  }
}

function badRequest(req: IncomingMessage, res: ServerResponse, reason: string) {
  res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  res.end(`Bad Request: ${reason}\n`);
  req.resume();
}

/** How long a refused body is read and dropped before its answer goes out, at most (ms). */
const DISCARD_FOR = 1000;

/**
 * Answers a refused request once its body was read and dropped (for at most
 * {@linkcode DISCARD_FOR}): a client that sends its body right after the head
 * is still writing when the answer comes, and a connection closed on bytes it
 * has not read is reset, which took the answer with it (the client saw only
 * a reset in most tries of a 20 MB upload).
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: 413 | 501) {
  const answer = () => {
    clearTimeout(timer);
    req.off("end", answer);
    req.off("close", answer);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
    res.end(`${limitReason(status)}\n`);
  };
  const timer = setTimeout(answer, DISCARD_FOR);
  req.once("end", answer);
  req.once("close", answer);
  req.resume();
}

function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.closed) {
    if (!res.writableFinished) controller.abort(new Error("client disconnected"));
  } else {
    res.once("close", () => {
      if (!res.writableFinished) controller.abort(new Error("client disconnected"));
    });
  }
  return controller.signal;
}

function flatHeaders(headers: Headers): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  return flat;
}

const NOT_YET_VALUE = Symbol("not yet");
/** Settled already, so `Promise.race([read, NOT_YET])` tells whether the read was. */
const NOT_YET = Promise.resolve(NOT_YET_VALUE);

/** Writes a light Response whose body is already whole (a string, bytes or none): one `end()`. */
function writeWhole(
  parts: LightParts & { body: string | Uint8Array | null },
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (res.destroyed) return;
  const { body } = parts;
  const headers = parts.headers ?? parts.lazyHeaders?.();
  const head = headers !== undefined
    ? flatHeaders(headers)
    : parts.contentType
    ? ["content-type", parts.contentType]
    : [];
  if (body !== null && (headers === undefined || !headers.has("content-length"))) {
    head.push("content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength));
  }
  res.writeHead(parts.status, parts.statusText || undefined, head);
  if (body === null || req.method === "HEAD") res.end();
  else res.end(body);
}

/** Writes a Fetch Response to a Node ServerResponse, streaming the body with backpressure. */
function writeResponse(
  response: Response,
  request: Request,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> | void {
  // Already written by the app itself (fromNode's direct path): its head is out, so
  // draining has nothing left to tell this response.
  if (LightResponse.sentOn(response) === res) return;
  const light = LightResponse.partsOf(response);
  if (light === undefined) {
    // `Response.error()` (status 0) is a network error: no status line can say it, so it is a 500.
    if (response.status === 0) {
      console.error(new TypeError("handler returned Response.error(), answered 500"));
      return writeResponse(internalError(), request, req, res);
    }
    return writeStreamed(response.status, response.statusText, response.headers, response.body, request, req, res);
  }
  if (light.body !== null) {
    if (light.sent) {
      // The same Response object returned twice: Node's own would fail on its used body too.
      console.error(new TypeError("a Response was returned after its body was already sent"));
      return writeResponse(internalError(), request, req, res);
    }
    light.sent = true;
  }
  if (light.body instanceof ReadableStream) {
    return writeStreamed(light.status, light.statusText, light.headers, light.body, request, req, res);
  }
  return writeWhole(light as LightParts & { body: string | Uint8Array | null }, req, res);
}

/**
 * A body chunk as bytes: strings are sent as UTF-8 (Bun accepts them, and a
 * stream of strings is a common mistake that must not corrupt the head), any
 * other buffer source is viewed as bytes; `undefined` for what cannot be sent.
 */
function chunkBytes(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  return undefined;
}

function badChunk(chunk: unknown): TypeError {
  const what = chunk === null
    ? "null"
    : typeof chunk === "object"
    ? `an object (${chunk.constructor?.name})`
    : typeof chunk;
  return new TypeError(`a response body stream produced ${what}, not bytes or a string`);
}

async function writeStreamed(
  status: number,
  reason: string,
  headers: Headers | undefined,
  body: ReadableStream<Uint8Array> | null,
  request: Request,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (res.destroyed) {
    await body?.cancel().catch(() => {});
    return;
  }
  const head = headers === undefined ? [] : flatHeaders(headers);
  const statusText = reason || undefined;
  if (body === null || req.method === "HEAD") {
    res.writeHead(status, statusText, head);
    res.end();
    if (body) await body.cancel().catch(() => {});
    return;
  }
  const reader = body.getReader();
  let step: ReadableStreamReadResult<Uint8Array>;
  let first: Uint8Array | undefined;
  try {
    step = await reader.read();
    if (!step.done && (first = chunkBytes(step.value)) === undefined) throw badChunk(step.value);
  } catch (error) {
    // Nothing is sent yet: a failed or malformed body can still be an honest 500.
    console.error(error);
    void reader.cancel(error).catch(() => {});
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("Internal Server Error\n");
    return;
  }
  if (step.done) {
    res.writeHead(status, statusText, head);
    res.end();
    return;
  }
  // A body made from a string or bytes is one chunk and an already-closed
  // stream: if the next read is settled at once, send it whole with a
  // Content-Length (one buffer, no chunked framing). A real stream is not
  // held back: whatever is pending, the first chunk goes out now.
  const next = reader.read();
  const settled = await Promise.race([next, NOT_YET]);
  if (settled !== NOT_YET_VALUE && (settled as ReadableStreamReadResult<Uint8Array>).done) {
    if (!headers?.has("content-length")) head.push("content-length", String(first!.byteLength));
    res.writeHead(status, statusText, head);
    res.end(first);
    return;
  }
  // From here on the client may leave at any await: listen before the first one,
  // or a stream that never produces again would hang the writer and leak its source.
  let closed = false;
  const onClose = () => {
    closed = true;
    // The app may go on enqueueing into the cancelled stream and throw outside
    // any request: remember the route, so that error can name it (uncaught.ts).
    noteCutStream(context(request).route);
    void reader.cancel(new Error("client disconnected")).catch(() => {});
  };
  res.once("close", onClose);
  if (res.destroyed) onClose();
  try {
    res.writeHead(status, statusText, head);
    res.write(first);
    step = await next;
    while (!step.done && !closed) {
      const bytes = chunkBytes(step.value);
      if (bytes === undefined) throw badChunk(step.value);
      if (!res.write(bytes) && !closed) {
        await drainOrClose(res);
      }
      if (closed) return;
      step = await reader.read();
    }
    if (!closed) res.end();
  } catch (error) {
    // The headers are out: the only honest signal left is closing the connection.
    if (!closed) {
      console.error(error);
      void reader.cancel(error).catch(() => {});
    }
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}
