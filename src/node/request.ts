/**
 * `IncomingMessage` → Fetch `Request`: the one conversion, used by serve's
 * Node adapter (which has checked the Host and the target first) and by
 * `toNode` (which takes `req` as Express shows it to a middleware). The body
 * is streamed with backpressure ({@linkcode bodyStream}).
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import { LightRequest } from "./light_request.ts";
import type { NodeExchange } from "./exchange.ts";
import { bodyStream } from "./body.ts";
import { disconnectSignal } from "./disconnect.ts";

/**
 * The Headers of a raw header list (`[name, value, name, value, …]`, Node's
 * `rawHeaders`), repeated fields kept apart. HTTP/2 pseudo-headers (`:path`)
 * are not header fields and are left out.
 */
export function headersFrom(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].charCodeAt(0) !== 58 /* : */) headers.append(raw[i], raw[i + 1]);
  }
  return headers;
}

/**
 * The Fetch Request for `req` at `url`, its headers from `rawHeaders`, with
 * `body` and, when given, `signal`. Throws as `new Request` does on a URL or
 * header Fetch refuses.
 */
export function fetchRequest(
  req: IncomingMessage,
  url: string,
  body: ReadableStream<Uint8Array> | null,
  signal?: AbortSignal,
): Request {
  const headers = headersFrom(req.rawHeaders);
  const method = req.method ?? "GET";
  // A plain GET gets the smallest init undici accepts: every key costs on serve's path.
  if (body === null && signal === undefined && method === "GET") return new Request(url, { headers });
  const init: RequestInit & { duplex: "half" } = { method, headers, body, duplex: "half" };
  if (signal !== undefined) init.signal = signal;
  return new Request(url, init);
}

/**
 * The same request as a light Request (light_request.ts): URL, method and
 * headers read straight from `req`, the rest built on first use. It holds
 * `exchange` for fromNode's direct path ({@linkcode NodeExchange}), on HTTP/1.
 */
export function lightRequest(
  exchange: NodeExchange,
  url: string,
  body: (() => ReadableStream<Uint8Array>) | undefined,
): Request {
  const { incoming, outgoing } = exchange;
  return new LightRequest(url, incoming.method ?? "GET", {
    rawHeaders: incoming.rawHeaders,
    body,
    signal: () => disconnectSignal(outgoing),
    // fromNode's direct path hands these to an Express app, which works on node:http's objects only.
    native: incoming.httpVersionMajor === 2 ? undefined : exchange,
  }) as unknown as Request;
}

/**
 * `toNode`'s Request for `req`, following `signal`; `undefined` when its URL
 * or Host is unusable. `req.url` is taken as the path (Express shows a mounted
 * middleware the path below its mount); a body already read by a body parser
 * is gone and becomes an empty body.
 */
export function listenerRequest(req: IncomingMessage, signal: AbortSignal): Request | undefined {
  const scheme = (req.socket as { encrypted?: boolean } | null)?.encrypted ? "https" : "http";
  const host = req.headers.host ?? req.headers[":authority"] ?? localHost(req);
  let url: string;
  try {
    url = new URL(req.url ?? "/", `${scheme}://${host}`).href;
  } catch {
    return undefined;
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" && !req.readableEnded;
  return fetchRequest(req, url, hasBody ? bodyStream(req) : null, signal);
}

/** The server's own address as a Host, for a request that named none. */
function localHost(req: IncomingMessage): string {
  const address = req.socket?.localAddress ?? "localhost";
  const port = req.socket?.localPort;
  const shown = address.includes(":") ? `[${address}]` : address;
  return port ? `${shown}:${port}` : shown;
}
