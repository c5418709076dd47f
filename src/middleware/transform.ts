/**
 * Post-processing a response body as a stream (PEP 3333's "post-processing
 * content"): inject a banner into HTML, rewrite links. Bodies are never read
 * whole; text transforms keep only a tail as long as their longest pattern.
 *
 * @module
 */
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { isResponse } from "../internal/is_response.ts";

/**
 * A transform over body bytes, such as {@linkcode replaceText} or {@linkcode injectHtml} return.
 *
 * @example
 * ```ts
 * import type { ByteTransform } from "@fetchkit/core/middleware";
 * const identity: ByteTransform = new TransformStream();
 * ```
 */
export type ByteTransform = TransformStream<Uint8Array, Uint8Array>;

/** Statuses whose bodies must not be rewritten: no body, or only part of one. */
const UNTOUCHABLE = new Set([101, 204, 206, 304]);

/**
 * Pipes a response's body through a transform. `Content-Length` is removed
 * (the new length is unknown until the end, so the body is sent chunked) and a
 * strong `ETag` becomes weak. Compressed bodies (`Content-Encoding`) and
 * partial ones (206) are returned unchanged: rewriting their bytes would corrupt them.
 *
 * @example Upper-case a body on the fly
 * ```ts
 * import { transformBody } from "@fetchkit/core/middleware";
 * const upper = new TransformStream<Uint8Array, Uint8Array>({
 *   transform: (chunk, out) => out.enqueue(new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase())),
 * });
 * const response = transformBody(new Response("hello"), upper);
 * await response.text(); // "HELLO"
 * ```
 */
export function transformBody(response: Response, transform: ByteTransform): Response {
  if (response.body === null || UNTOUCHABLE.has(response.status)) return response;
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.toLowerCase() !== "identity") return response;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  const etag = headers.get("etag");
  if (etag !== null && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
  return new Response(response.body.pipeThrough(transform), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/**
 * A streaming UTF-8 text replacement of literal strings. Matches split across
 * chunks are found: only the last `longest pattern − 1` characters are held
 * back between chunks, so memory stays bounded whatever the body size.
 *
 * @example Rewrite root-relative links for a mount prefix
 * ```ts
 * import { replaceText, transformBody } from "@fetchkit/core/middleware";
 * const page = new Response('<a href="/about">About</a>');
 * const rewritten = transformBody(page, replaceText({ 'href="/': 'href="/blog/' }));
 * await rewritten.text(); // '<a href="/blog/about">About</a>'
 * ```
 */
export function replaceText(replacements: Record<string, string>): ByteTransform {
  if (typeof replacements !== "object" || replacements === null) {
    throw new TypeError(`replaceText: replacements must be an object of strings, got ${describe(replacements)}`);
  }
  const pairs = Object.entries(replacements);
  for (const [from, to] of pairs) {
    if (from === "" || typeof to !== "string") {
      throw new TypeError(
        `replaceText: each pattern must be non-empty and map to a string, got ${JSON.stringify(from)}`,
      );
    }
  }
  const keep = Math.max(0, ...pairs.map(([from]) => from.length - 1));
  const replace = (text: string) => {
    // One left-to-right scan, so a replacement is never matched again.
    let out = "";
    let at = 0;
    for (;;) {
      let best = -1;
      let which = -1;
      for (let i = 0; i < pairs.length; i++) {
        const found = text.indexOf(pairs[i][0], at);
        if (found >= 0 && (best < 0 || found < best)) [best, which] = [found, i];
      }
      if (best < 0) return [out, at] as const;
      out += text.slice(at, best) + pairs[which][1];
      at = best + pairs[which][0].length;
    }
  };
  return textTransform((text, final) => {
    const [done, consumed] = replace(text);
    const tailStart = final ? text.length : Math.max(consumed, text.length - keep);
    return [done + text.slice(consumed, tailStart), text.slice(tailStart)];
  });
}

/**
 * Inserts HTML once, before the first occurrence of `marker` (default
 * `</body>`, case-sensitive); appended at the end when the marker never comes.
 *
 * @example A banner before </body>
 * ```ts
 * import { injectHtml, transformBody } from "@fetchkit/core/middleware";
 * const page = new Response("<html><body>Hi</body></html>");
 * const withBanner = transformBody(page, injectHtml('<div class="banner">staging</div>'));
 * await withBanner.text(); // "<html><body>Hi<div class=\"banner\">staging</div></body></html>"
 * ```
 */
export function injectHtml(html: string, marker = "</body>"): ByteTransform {
  if (typeof html !== "string") throw new TypeError(`injectHtml: html must be a string, got ${describe(html)}`);
  if (typeof marker !== "string" || marker === "") {
    throw new TypeError(`injectHtml: marker must be a non-empty string, got ${describe(marker)}`);
  }
  let injected = false;
  return textTransform((text, final) => {
    if (injected) return [text, ""];
    const at = text.indexOf(marker);
    if (at >= 0) {
      injected = true;
      return [text.slice(0, at) + html + text.slice(at), ""];
    }
    if (final) {
      injected = true;
      return [text + html, ""];
    }
    const tailStart = Math.max(0, text.length - (marker.length - 1));
    return [text.slice(0, tailStart), text.slice(tailStart)];
  });
}

/**
 * A byte transform over decoded text: `step(text, final)` returns what to emit
 * and what to keep for the next chunk (the tail a match could still need).
 */
function textTransform(step: (text: string, final: boolean) => readonly [emit: string, keep: string]): ByteTransform {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let held = "";
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const [emit, keep] = step(held + decoder.decode(chunk, { stream: true }), false);
      held = keep;
      if (emit !== "") controller.enqueue(encoder.encode(emit));
    },
    flush(controller) {
      const [emit] = step(held + decoder.decode(), true);
      held = "";
      if (emit !== "") controller.enqueue(encoder.encode(emit));
    },
  });
}

/** Options of {@linkcode transform}. */
export interface TransformOptions {
  /** Which responses to transform. Default: `Content-Type: text/html`. */
  when?: (response: Response, request: Request) => boolean;
  /** A fresh transform per response. */
  stream: (response: Response, request: Request) => ByteTransform;
}

/**
 * Middleware that post-processes matching responses with {@linkcode transformBody}.
 *
 * @example A staging banner on every HTML page
 * ```ts
 * import { injectHtml, transform } from "@fetchkit/core/middleware";
 * const banner = transform({ stream: () => injectHtml("<p>staging</p>") });
 * const app = banner(() => new Response("<body>Hi</body>", { headers: { "content-type": "text/html" } }));
 * await (await app(new Request("http://localhost/"))).text(); // "<body>Hi<p>staging</p></body>"
 * ```
 */
export function transform(options: TransformOptions): Middleware {
  if (typeof options !== "object" || options === null || typeof options.stream !== "function") {
    throw new TypeError(
      `transform: options.stream must be a function returning a TransformStream, got ${describe(options)}`,
    );
  }
  if (options.when !== undefined && typeof options.when !== "function") {
    throw new TypeError(
      `transform: when must be a function (response, request) => boolean, got ${describe(options.when)}`,
    );
  }
  const when = options.when ??
    ((response: Response) => response.headers.get("content-type")?.includes("text/html") ?? false);
  const stream = options.stream;
  return (next: Handler): Handler => async (request) => {
    const response = await next(request);
    return isResponse(response) && request.method !== "HEAD" && when(response, request)
      ? transformBody(response, stream(response, request))
      : response;
  };
}
