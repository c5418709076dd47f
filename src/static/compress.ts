/**
 * `serveStatic({ compress: true })`: text files that have no precompressed
 * sibling the client accepts are compressed on the fly with the portable
 * CompressionStream (src/internal/web_compression.ts), negotiated by the same
 * function that picks siblings, and small files' compressed copies are kept
 * (keyed by the file's strong ETag and the coding, so a changed file is never
 * answered from an old copy). A wrapper around the handler's responses, so
 * the hot path of a handler without it is untouched.
 *
 * @module
 */
import type { Handler } from "../handler.ts";
import { negotiateEncoding } from "../internal/accept_encoding.ts";
import { isCompressibleType } from "../internal/compressible.ts";
import { varyWith } from "../internal/vary.ts";
import { compressBytes, type ContentCoding, webCodings, webCompressor } from "../internal/web_compression.ts";
import type { StaticSettings } from "./options.ts";

/** Bodies declared smaller than this are sent as they are (as `compress()`'s default threshold). */
const THRESHOLD = 1024;
/** The server's preference, as for precompressed siblings (br, zstd, gzip), then deflate. */
const PREFERENCE: readonly ContentCoding[] = ["br", "zstd", "gzip", "deflate"];

/** The compressed copies of one handler: `etag|coding` → bytes, least recently used first out. */
class CompressedCopies {
  readonly #copies = new Map<string, Uint8Array<ArrayBuffer>>();
  #bytes = 0;
  readonly maxBytes: number;
  readonly maxFileBytes: number;

  constructor(settings: StaticSettings) {
    // A quarter of the body budget: compressed copies sit beside the plain bodies, they do not replace them.
    this.maxBytes = settings.cache.maxBytes / 4;
    this.maxFileBytes = settings.cache.maxFileBytes;
  }

  get(key: string): Uint8Array<ArrayBuffer> | undefined {
    const copy = this.#copies.get(key);
    if (copy !== undefined) {
      this.#copies.delete(key);
      this.#copies.set(key, copy);
    }
    return copy;
  }

  keep(key: string, copy: Uint8Array<ArrayBuffer>): void {
    if (copy.length > this.maxBytes) return;
    while (this.#bytes + copy.length > this.maxBytes && this.#copies.size > 0) {
      const [oldest, bytes] = this.#copies.entries().next().value!;
      this.#copies.delete(oldest);
      this.#bytes -= bytes.length;
    }
    this.#copies.set(key, copy);
    this.#bytes += copy.length;
  }
}

/**
 * `handler` (a serveStatic handler) with its compressible 200s compressed
 * for clients that accept a coding the runtime's CompressionStream has.
 */
export function compressingStatic(handler: Handler, settings: StaticSettings): Handler {
  const copies = new CompressedCopies(settings);
  const codings = PREFERENCE.filter((c) => webCodings().includes(c));
  return (request) => {
    const result = handler(request);
    return result instanceof Promise
      ? result.then((response) => compressFile(copies, codings, request, response))
      : compressFile(copies, codings, request, result);
  };
}

function compressFile(
  copies: CompressedCopies,
  codings: readonly ContentCoding[],
  request: Request,
  response: Response,
): Response | Promise<Response> {
  const headers = response.headers;
  if (request.method !== "GET" || response.status !== 200 || headers.has("content-encoding")) return response;
  const length = Number(headers.get("content-length") ?? NaN);
  if (length < THRESHOLD || !isCompressibleType(headers.get("content-type"))) return response;
  headers.set("vary", varyWith(headers.get("vary"), "Accept-Encoding"));
  const coding = negotiateEncoding(request.headers.get("accept-encoding"), codings);
  const etag = headers.get("etag");
  if (coding === "identity" || etag === null || response.body === null) return response;
  const compressedHeaders = new Headers(headers);
  compressedHeaders.delete("content-length");
  compressedHeaders.delete("accept-ranges");
  compressedHeaders.set("content-encoding", coding);
  compressedHeaders.set("etag", etag.startsWith("W/") ? etag : `W/${etag}`);
  const key = `${etag}|${coding}`;
  const copy = copies.get(key);
  if (copy !== undefined) {
    void response.body.cancel().catch(() => {});
    return compressedResponse(copy, compressedHeaders);
  }
  if (length <= copies.maxFileBytes) return compressAndKeep(copies, key, response, coding, compressedHeaders);
  return new Response(response.body.pipeThrough(webCompressor(coding)), {
    headers: compressedHeaders,
    encodeBody: "manual",
  } as ResponseInit);
}

async function compressAndKeep(
  copies: CompressedCopies,
  key: string,
  response: Response,
  coding: ContentCoding,
  headers: Headers,
): Promise<Response> {
  const copy = await compressBytes(new Uint8Array(await response.arrayBuffer()), coding);
  copies.keep(key, copy);
  return compressedResponse(copy, headers);
}

function compressedResponse(copy: Uint8Array<ArrayBuffer>, headers: Headers): Response {
  const response = new Response(copy, { headers, encodeBody: "manual" } as ResponseInit);
  response.headers.set("content-length", String(copy.length));
  return response;
}
