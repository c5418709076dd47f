/**
 * HTTP/2 on fetchkit's Node server: `node:http2`'s compatibility objects
 * (`Http2ServerRequest`, `Http2ServerResponse`) stand where `node:http`'s
 * `IncomingMessage` and `ServerResponse` do, so the one Node ⇄ Fetch layer
 * (request.ts, response.ts, disconnect.ts) serves both protocols.
 *
 * Where the two differ, the response class made here closes the gap, so no
 * writer needs to know which protocol it writes:
 * - `destroyed` and `closed`, which the writers and the disconnect signal
 *   read, exist (the compatibility response has neither);
 * - `writeHead` drops what HTTP/2 has no place for: the reason phrase
 *   (RFC 9113 §8.3.2; Node warns about it) and the connection-specific
 *   headers (§8.2.2: `Connection`, `Keep-Alive`, `Transfer-Encoding`, …),
 *   which would make Node's `respond()` throw. A `Connection: close` the
 *   server adds to refusals on HTTP/1 is thus simply left out.
 *
 * The class is built from the runtime's `node:http2` on first use, so
 * nothing here imports a `node:` module statically.
 *
 * @module
 */
import type { Http2ServerResponse, OutgoingHttpHeaders } from "node:http2";
import type { IncomingMessage } from "node:http";

type Http2Module = typeof import("node:http2");
type ResponseClass = typeof Http2ServerResponse;

/** Headers that describe one HTTP/1 connection and are malformed on HTTP/2 (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
]);

/** Whether `name` (lower or mixed case) may not appear on an HTTP/2 response; `te` only as `trailers`. */
function isConnectionSpecific(name: string, value: unknown): boolean {
  const lower = name.toLowerCase();
  return CONNECTION_SPECIFIC.has(lower) || (lower === "te" && value !== "trailers");
}

/** A flat `[name, value, …]` head, a list of pairs or a headers object without its connection-specific fields. */
function http2Headers(headers: unknown): unknown {
  if (Array.isArray(headers)) {
    if (Array.isArray(headers[0])) {
      return (headers as [string, unknown][]).filter(([name, value]) => !isConnectionSpecific(name, value));
    }
    const kept: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (!isConnectionSpecific(String(headers[i]), headers[i + 1])) kept.push(headers[i], headers[i + 1]);
    }
    return kept;
  }
  if (headers === null || typeof headers !== "object") return headers;
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
    if (!isConnectionSpecific(name, value)) kept[name] = value;
  }
  return kept;
}

let responseClass: ResponseClass | undefined;

/** The response class fetchkit's HTTP/2 server is created with (its `Http2ServerResponse` option). */
export function http2ResponseClass(http2: Http2Module): ResponseClass {
  return responseClass ??= defineResponseClass(http2.Http2ServerResponse);
}

function defineResponseClass(Base: ResponseClass): ResponseClass {
  class FetchkitHttp2Response extends Base {
    override writeHead(status: number, reason?: unknown, headers?: unknown): this {
      const given = typeof reason === "string" ? headers : reason ?? headers;
      return super.writeHead(status, http2Headers(given) as OutgoingHttpHeaders);
    }
  }
  // Accessors on the prototype: Node's typings declare both as plain properties, which the runtime class lacks.
  Object.defineProperties(FetchkitHttp2Response.prototype, {
    /** Whether the stream was destroyed (reset by either side, or destroyed here). */
    destroyed: {
      get(this: Http2ServerResponse) {
        return this.stream.destroyed;
      },
    },
    /** Whether the stream is closed: the response can no longer be written. */
    closed: {
      get(this: Http2ServerResponse) {
        return this.stream.closed || this.stream.destroyed;
      },
    },
  });
  return FetchkitHttp2Response as ResponseClass;
}

/** Whether a request reached fetchkit's Node server over HTTP/2 (its `req` is then an `Http2ServerRequest`). */
export function isHttp2(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2;
}
