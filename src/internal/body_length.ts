/**
 * The length of a body fetchkit knows without reading it, for the logger and
 * the profiler: a `Content-Length` set where fetchkit draws a page itself
 * ({@linkcode textResponse}), and a hook a Response class may offer for the
 * bodies it was given ({@linkcode BODY_LENGTH}).
 *
 * Why not read or wrap the body: a counting stream makes Deno and Node send
 * the body chunked (their native string and bytes path is lost), and
 * `clone()` costs microseconds per response and buffers a streamed body.
 * Deno and Bun expose no public length of a `new Response("text")`, so there
 * the hook is absent and such a body stays of unknown size.
 *
 * @module
 */

/**
 * The name of the method by which a Response may tell its body's length in
 * bytes without reading it: `response[BODY_LENGTH]()` gives a number, or
 * `undefined` when the body is a stream. fetchkit's light Response on its own
 * Node server offers it for string, bytes and Blob bodies.
 *
 * @example
 * ```ts
 * import { BODY_LENGTH } from "./body_length.ts";
 * const offers = typeof (new Response("hi") as unknown as Record<symbol, unknown>)[BODY_LENGTH] === "function";
 * ```
 */
export const BODY_LENGTH: unique symbol = Symbol.for("fetchkit.bodyLength");

type MeasuredResponse = { [BODY_LENGTH]?: () => number | undefined };

/**
 * The body's length as its Response class tells it ({@linkcode BODY_LENGTH}),
 * or `undefined` where it cannot (a stream, a Response of Deno, Bun or Workers).
 *
 * @example
 * ```ts
 * import { bodyLengthOf } from "./body_length.ts";
 * const length = bodyLengthOf(new Response("hi")); // 2 on fetchkit's Node server, else undefined
 * ```
 */
export function bodyLengthOf(response: Response): number | undefined {
  const tell = (response as unknown as MeasuredResponse)[BODY_LENGTH];
  return typeof tell === "function" ? tell.call(response) : undefined;
}

/**
 * Whether the global Response class tells its bodies' lengths itself
 * ({@linkcode BODY_LENGTH}): then a string body needs no declared
 * `Content-Length` to be counted, and none is added (on Node an extra header
 * costs ~0.2 µs a Response, measured; the server sends the length anyway).
 * Asked per call: fetchkit's Node server installs its Response when it starts.
 *
 * @example
 * ```ts
 * import { responsesTellLength } from "./body_length.ts";
 * const counted = responsesTellLength(); // true on fetchkit's Node server
 * ```
 */
export function responsesTellLength(): boolean {
  return BODY_LENGTH in Response.prototype;
}

/**
 * The length of `text` encoded as UTF-8, without encoding it (a lone
 * surrogate counts 3 bytes, as the U+FFFD it is encoded as).
 *
 * @example
 * ```ts
 * import { utf8Length } from "./body_length.ts";
 * utf8Length("héllo"); // 6
 * ```
 */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      length += 2; // the pair's two units become four bytes
      i++;
    } else length += 2;
  }
  return length;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** A Response's init whose headers are a plain record with lower-case names, as fetchkit's own pages build them. */
export interface TextResponseInit {
  status?: number;
  headers?: Record<string, string>;
}

/** Up to this many UTF-16 units a text is counted in JS; a longer one is encoded natively (faster per unit). */
const COUNTED_TEXT = 256;

const encoder = new TextEncoder();

/**
 * A Response of a text body fetchkit draws itself, with its `Content-Length`
 * declared (unless the Response class tells it, {@linkcode responsesTellLength}),
 * so the logger and the profiler know its size on every runtime.
 * A long text is sent as its UTF-8 bytes, encoded once (measured: counting
 * an 8 KiB page in JS costs several times `TextEncoder.encode`).
 *
 * @example
 * ```ts
 * import { textResponse } from "./body_length.ts";
 * const page = textResponse("<h1>Hi</h1>", { headers: { "content-type": "text/html; charset=utf-8" } });
 * page.headers.get("content-length"); // "11"
 * ```
 */
export function textResponse(text: string, init: TextResponseInit = {}): Response {
  if (text.length <= COUNTED_TEXT && responsesTellLength()) return new Response(text, init);
  const headers: Record<string, string> = { ...init.headers };
  if (text.length <= COUNTED_TEXT) {
    headers["content-length"] = String(utf8Length(text));
    return new Response(text, { status: init.status, headers });
  }
  const bytes = encoder.encode(text);
  headers["content-length"] = String(bytes.byteLength);
  // The type a string body would have had: bytes have none of their own.
  headers["content-type"] ??= "text/plain;charset=UTF-8";
  return new Response(bytes, { status: init.status, headers });
}
