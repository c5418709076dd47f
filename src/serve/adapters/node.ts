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
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { bindContext, context, type ContextInit, type RemoteAddress, type RequestContext } from "../../context.ts";
import { invoke } from "../invoke.ts";
import { BodyGuard, limitReason } from "../limits.ts";
import type { AdapterInput, AdapterServer } from "../types.ts";
import { noteCutStream } from "./uncaught.ts";
import { isResponse } from "../../internal/is_response.ts";
import { authorityRefusal, HostCheck, http2Host, isHttpUrlWithHost } from "../../internal/host.ts";
import { bodyStream } from "../../node/body.ts";
import { disconnectSignal } from "../../node/disconnect.ts";
import type { NodeExchange } from "../../node/exchange.ts";
import { installLightGlobals } from "../../node/light_globals.ts";
import { fetchRequest, lightRequest } from "../../node/request.ts";
import { type HeadWriter, OWN_HEAD, writeResponse } from "../../node/response.ts";
import { drainServer, endWhenIdle, isEnding } from "../../node/server_drain.ts";
import { isHttp2 } from "../../node/http2.ts";
import { createNodeServer, type NodeServer, trackConnections } from "./node_server.ts";
import { attachWebSockets } from "../../node/websocket.ts";

interface NodeState {
  input: AdapterInput;
  /** The Host check, remembering the last Host accepted. */
  hosts: HostCheck;
  draining: boolean;
  /** Responses being written, told to close their connection when draining starts. */
  active: Set<ServerResponse>;
  /** Every open connection, to close the ones without a request at shutdown. */
  sockets: Set<Socket>;
  server: NodeServer;
  /** `https` over TLS, where HTTP/2 requests come too. */
  scheme: "http" | "https";
  /** Light Request and Response objects (light_globals.ts) are in use. */
  light: boolean;
  /** The context init of every request; what varies per request is its {@linkcode NodeExchange}, in `runtimeArgs`. */
  init: ContextInit;
}

const exchangeOf = (context: RequestContext) => context.runtimeArgs[0] as NodeExchange;

function clientAddress(_request: Request, context: RequestContext): RemoteAddress | undefined {
  const { socket } = exchangeOf(context).incoming;
  return socket.remoteAddress ? { hostname: socket.remoteAddress, port: socket.remotePort ?? 0 } : undefined;
}

/** Serves with `node:http`, or `node:http2` (HTTP/2 and HTTP/1.1) with TLS. */
export async function serveNode(input: AdapterInput): Promise<AdapterServer> {
  const server = await createNodeServer(input.limits, input.tls);
  if (input.overrideGlobals) installLightGlobals();
  const state: NodeState = {
    input,
    hosts: new HostCheck(),
    draining: false,
    active: new Set(),
    sockets: new Set(),
    server,
    scheme: input.tls ? "https" : "http",
    light: input.overrideGlobals,
    init: {
      remoteAddr: clientAddress,
      waitUntil: input.track,
      // A light Request's own signal is the disconnect signal, which the context reads by default.
      signal: input.overrideGlobals ? undefined : (_request, context) => disconnectSignal(exchangeOf(context).outgoing),
    },
  };
  const closeAll = trackConnections(server, state.sockets);
  const respondTo = (req: IncomingMessage, res: ServerResponse) => respond(state, req, res);
  server.on("request", respondTo);
  const webSockets = attachWebSockets({
    ...state,
    server,
    respond: respondTo,
    maxMessageSize: input.limits.maxMessageSize,
  });
  state.init.webSocket = webSockets.upgrader;
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
          // Done once the sockets' close events came too: a logger writes a socket's line then, before the exit.
          return Promise.all([webSockets.goAway(), drainServer(state)]).then(() => {});
        },
        forceClose: () => {
          webSockets.terminate();
          return Promise.resolve(closeAll());
        },
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

/**
 * {@linkcode hostRefusal} for HTTP/2: the host is `:authority` ({@linkcode authorityRefusal}), and `:path` is a
 * path (Node itself refuses a request without one).
 */
function http2Refusal(req: IncomingMessage, check: HostCheck): string | undefined {
  const refused = authorityRefusal(req.headers[":authority"] as string | undefined, req.headers.host, check);
  if (refused !== undefined) return refused;
  return req.url?.charCodeAt(0) === 47 /* / */ ? undefined : "invalid request target";
}

/** The absolute URL of a Node request that passed {@linkcode hostRefusal}, whose Host is `host`. */
function urlOf(req: IncomingMessage, host: string, scheme: string): string {
  const target = req.url ?? "/";
  if (target.charCodeAt(0) !== 47 /* / */) return target; // absolute-form (a proxy request)
  return `${scheme}://${host}${target}`;
}

/** The request's body stream, counted by `guard`; the rest is drained on a cancel, so the connection stays usable. */
function guardedBody(req: IncomingMessage, guard: BodyGuard): ReadableStream<Uint8Array> {
  return bodyStream(req, { counter: guard, onCancel: "drain" });
}

/** Builds the Fetch Request for a Node request; `undefined` when its URL or Host is unusable. */
function toRequest(req: IncomingMessage, url: string, guard: BodyGuard | undefined): Request | undefined {
  try {
    return fetchRequest(req, url, guard ? guardedBody(req, guard) : null);
  } catch {
    return undefined;
  }
}

/** The same as {@linkcode toRequest}, as a light Request holding its {@linkcode NodeExchange}. */
function toLightRequest(exchange: NodeExchange, url: string, guard: BodyGuard | undefined): Request {
  const req = exchange.incoming;
  return lightRequest(exchange, url, guard ? () => guardedBody(req, guard) : undefined);
}

function hasBody(req: IncomingMessage): boolean {
  const method = req.method;
  if (method === "GET" || method === "HEAD") return false;
  // HTTP/2 has a body unless the headers ended the stream; a length is optional.
  if (isHttp2(req)) return !(req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders;
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

function respond(state: NodeState, req: IncomingMessage, res: ServerResponse) {
  // Read after the drain half-closed the connection: no answer can reach the client, which saw a clean close.
  if (state.draining && isEnding(req.socket)) return void req.resume();
  const { input } = state;
  const { limits } = input;
  const http2 = state.scheme === "https" && isHttp2(req);
  const hostAt = http2 ? 0 : hostIndex(req.rawHeaders);
  const refused = http2 ? http2Refusal(req, state.hosts) : hostRefusal(req, hostAt, state.hosts);
  if (refused !== undefined) return badRequest(req, res, refused);
  const host = http2
    ? http2Host(req.headers[":authority"] as string | undefined, req.headers.host)!
    : req.rawHeaders[hostAt];
  if (http2 && http2HeadSize(req.rawHeaders) > limits.maxHeaderSize) return refuse(req, res, 431);
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
  const exchange: NodeExchange = { incoming: req, outgoing: res };
  const url = urlOf(req, host, state.scheme);
  const request = state.light ? toLightRequest(exchange, url, guard) : toRequest(req, url, guard);
  if (request === undefined) return badRequest(req, res, "invalid URL");
  bindContext(request, state.init, [exchange]);
  state.active.add(res);
  if (state.draining) res.shouldKeepAlive = false;
  // A handler that answers synchronously with a whole body is written without
  // a single promise: on a hello world, each microtask hop shows in req/s.
  const result = invoke(input.handler, request, guard);
  let written: Promise<void> | void;
  try {
    written = isResponse(result)
      ? writeResponse(result, request, req, res, SERVER_HEAD)
      : result.then((response) => writeResponse(response, request, req, res, SERVER_HEAD));
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
  // An HTTP/2 session is drained by the server itself (GOAWAY), not by closing its socket.
  if (state.draining && !isHttp2(res.req)) {
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

/** An HTTP/2 request's head counted as HTTP/1 counts one (pseudo-headers for the request line). */
function http2HeadSize(raw: readonly string[]): number {
  let size = 12;
  for (let i = 0; i < raw.length; i += 2) size += raw[i].length + raw[i + 1].length + 4;
  return size;
}

/**
 * Answers a refused request once its body was read and dropped (for at most
 * {@linkcode DISCARD_FOR}): a client that sends its body right after the head
 * is still writing when the answer comes, and a connection closed on bytes it
 * has not read is reset, which took the answer with it (the client saw only
 * a reset in most tries of a 20 MB upload).
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: 413 | 431 | 501) {
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

/**
 * How this server writes a head: its own, in one call. A client leaving while
 * the body streams is noted: the app may go on enqueueing into the cancelled
 * stream and throw outside any request, and that error can then name the
 * route (uncaught.ts).
 */
const SERVER_HEAD: HeadWriter = {
  ...OWN_HEAD,
  onCut: (request) => noteCutStream(context(request).route),
};
