/**
 * `etag()`: validators for dynamic bodies. The body is hashed as it is read
 * (up to a size cap), so a client that already holds it gets a 304.
 *
 * @module
 */
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { etagListMatches } from "../internal/etag.ts";
import { isResponse } from "../internal/is_response.ts";
import { concatBytes } from "../internal/bytes.ts";

/** Options of {@linkcode etag}. */
export interface EtagOptions {
  /**
   * Strong tags (`"…"`) instead of weak ones (`W/"…"`, the default). A strong
   * tag promises byte-for-byte identity, which lets clients combine ranges;
   * keep the default when something after `etag` (a proxy, `compress`) may
   * change the bytes.
   */
  strong?: boolean;
  /**
   * Largest body hashed, in bytes (default 1 MiB). A larger body, declared
   * or found while reading, is sent on untouched without a tag, its first
   * bytes included: memory stays bounded.
   */
  maxSize?: number;
}

/** Headers a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5). */
const NOT_MODIFIED_HEADERS = ["cache-control", "content-location", "date", "expires", "vary"];

/**
 * Middleware giving 200 responses to GET and HEAD an `ETag` computed from
 * their bodies (SHA-1, base64url), and answering `If-None-Match` with 304
 * Not Modified when it names that tag (weak comparison). Responses that have
 * an `ETag` already, have no body, or are streamed past `maxSize` are left
 * alone. Put it inside `compress` (`compose(compress(), etag())`), so the tag
 * names the uncompressed bytes and `compress` makes it weak.
 *
 * @example
 * ```ts
 * import { etag } from "@fetchkit/core/middleware";
 * const app = etag()(() => new Response("hello"));
 * const first = await app(new Request("http://localhost/"));
 * const tag = first.headers.get("etag")!; // W/"…"
 * const again = await app(new Request("http://localhost/", { headers: { "if-none-match": tag } }));
 * again.status; // 304
 * ```
 */
export function etag(options: EtagOptions = {}): Middleware {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`etag: options must be an object, got ${describe(options)}`);
  }
  const { strong = false, maxSize = 1024 * 1024 } = options;
  if (typeof strong !== "boolean") throw new TypeError(`etag: strong must be a boolean, got ${describe(strong)}`);
  if (typeof maxSize !== "number" || !(maxSize >= 0) || !Number.isFinite(maxSize)) {
    throw new TypeError(`etag: maxSize must be a number of bytes ≥ 0, got ${describe(maxSize)}`);
  }
  const settings: EtagSettings = { prefix: strong ? '"' : 'W/"', maxSize };
  return (next: Handler): Handler => async (request) => {
    const response = await next(request);
    return isTaggable(request, response) ? await tagged(settings, request, response) : response;
  };
}

interface EtagSettings {
  prefix: string;
  maxSize: number;
}

function isTaggable(request: Request, response: Response): boolean {
  const method = request.method;
  // Headers before body: Bun forgets a Blob body's Content-Type once `body` was read first.
  return isResponse(response) && (method === "GET" || method === "HEAD") && response.status === 200 &&
    !response.headers.has("etag") && response.body !== null;
}

/** `response` with its tag, a 304 when the client holds it, or untouched when its body is over the cap. */
async function tagged(settings: EtagSettings, request: Request, response: Response): Promise<Response> {
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > settings.maxSize) return response;
  const read = await readUpTo(response.body!, settings.maxSize);
  if (read.rest !== undefined) return new Response(replay(read.chunks, read.rest), response);
  const body = concatBytes(read.chunks);
  const tag = `${settings.prefix}${await digest(body)}"`;
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch !== null && etagListMatches(ifNoneMatch, tag, true)) return notModified(response, tag);
  const headers = new Headers(response.headers);
  headers.set("etag", tag);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** What was read of a body: all of it, or the first chunks and the reader still holding the rest. */
interface ReadBody {
  chunks: Uint8Array[];
  length: number;
  rest: ReadableStreamDefaultReader<Uint8Array> | undefined;
}

async function readUpTo(body: ReadableStream<Uint8Array>, max: number): Promise<ReadBody> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { chunks, length, rest: undefined };
    chunks.push(value);
    length += value.byteLength;
    if (length > max) return { chunks, length, rest: reader };
  }
}

/** A stream of the chunks already read, then the rest of the body as it comes. */
function replay(chunks: Uint8Array[], rest: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = chunks.shift();
      if (chunk !== undefined) return controller.enqueue(chunk);
      const { done, value } = await rest.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => rest.cancel(reason),
  }, { highWaterMark: 0 });
}

/** The body's SHA-1 as base64url, 27 characters: an etagc-only opaque tag. */
async function digest(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", body));
  let binary = "";
  for (const byte of hash) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The 304 standing for `response`: its tag and the headers a 304 keeps, no body. */
function notModified(response: Response, tag: string): Response {
  const headers = new Headers({ etag: tag });
  for (const name of NOT_MODIFIED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}
