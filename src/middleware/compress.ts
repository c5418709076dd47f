/**
 * `compress()`: response compression negotiated from `Accept-Encoding`, as
 * nginx's `gzip on` or Hono's `compress`, streamed chunk by chunk.
 *
 * @module
 */
import type { Handler, Middleware } from "../handler.ts";
import { negotiateEncoding } from "../internal/accept_encoding.ts";
import { isCompressibleType } from "../internal/compressible.ts";
import { describe } from "../internal/describe.ts";
import { isResponse } from "../internal/is_response.ts";
import { runtime } from "../internal/runtime.ts";
import { varyWith } from "../internal/vary.ts";
import { type ContentCoding, webCodings, webCompressor } from "../internal/web_compression.ts";
import { memoryBody } from "./adapters/memory_body.ts";
import { zlibCompressed, zlibCompressSync, zlibEncodings } from "./adapters/zlib.ts";

/** A coding `compress` can produce. */
export type CompressEncoding = ContentCoding;

/** Options of {@linkcode compress}. */
export interface CompressOptions {
  /**
   * Codings offered, in the server's preference order (ties in the client's
   * q-values go to the first). Default `["br", "zstd", "gzip", "deflate"]`;
   * those the runtime cannot produce are left out (README, "Compression").
   */
  encodings?: readonly CompressEncoding[];
  /** Bodies whose `Content-Length` is below this many bytes are sent as they are. Default 1024. */
  threshold?: number;
  /**
   * Compression level per coding: gzip and deflate 1–9 (default 6), br 0–11
   * (default 4: quality 11 is for files compressed once, not per request),
   * zstd 1–19 (default 3). Workers' CompressionStream takes no level.
   */
  level?: Partial<Record<CompressEncoding, number>>;
  /** Which Content-Types are compressed. Default: text, JSON, JavaScript, XML, SVG, WebAssembly and the like. */
  compressible?: (contentType: string) => boolean;
}

/** The default preference order: as the static handler's precompressed siblings, then deflate. */
const DEFAULT_ENCODINGS: readonly CompressEncoding[] = ["br", "zstd", "gzip", "deflate"];
const DEFAULT_LEVELS: Readonly<Record<CompressEncoding, number>> = { gzip: 6, deflate: 6, br: 4, zstd: 3 };
const LEVEL_RANGES: Readonly<Record<CompressEncoding, readonly [number, number]>> = {
  gzip: [1, 9],
  deflate: [1, 9],
  br: [0, 11],
  zstd: [1, 19],
};

/** What one `compress()` decided at construction. */
interface CompressSettings {
  encodings: CompressEncoding[];
  threshold: number;
  levels: Record<CompressEncoding, number>;
  compressible: (contentType: string) => boolean;
  /** True to compress with the runtime's zlib, false with CompressionStream. */
  zlib: boolean;
}

/**
 * Middleware compressing response bodies with the coding the client prefers
 * among `options.encodings` (RFC 9110 §12.5.3 q-values). A compressed
 * response loses its `Content-Length` (it is sent chunked; on Node a body
 * held in memory is compressed in one call and keeps one), gets
 * `Content-Encoding`, and its strong `ETag` becomes weak; every response
 * that could have been compressed says `Vary: Accept-Encoding`. Left as they
 * are: HEAD, 204, 304, 206, bodies already encoded, `Cache-Control:
 * no-transform`, bodies declared smaller than `threshold`, and types that do
 * not compress. Streamed bodies (`text/event-stream`, a page sent in parts)
 * are compressed and flushed chunk by chunk, never buffered whole (on
 * Workers, whose CompressionStream cannot flush, event streams are sent
 * uncompressed).
 *
 * @example
 * ```ts
 * import { compress } from "@fetchkit/core/middleware";
 * const app = compress()(() => new Response("<p>hi</p>".repeat(500), { headers: { "content-type": "text/html" } }));
 * const response = await app(new Request("http://localhost/", { headers: { "accept-encoding": "gzip" } }));
 * response.headers.get("content-encoding"); // "gzip"
 * ```
 */
export function compress(options: CompressOptions = {}): Middleware {
  const settings = compressSettings(options);
  return (next: Handler): Handler => (request) => {
    const result = next(request);
    // A synchronous answer stays synchronous: serve() sends it without a promise turn.
    return result instanceof Promise
      ? result.then((response) => compressResponse(settings, request, response))
      : compressResponse(settings, request, result);
  };
}

/** Checks the options (a TypeError naming the bad one) and settles what this runtime can do. */
function compressSettings(options: CompressOptions): CompressSettings {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`compress: options must be an object, got ${describe(options)}`);
  }
  const { encodings = DEFAULT_ENCODINGS, threshold = 1024, level = {}, compressible = isCompressibleType } = options;
  if (!Array.isArray(encodings) || encodings.some((e) => !(e in DEFAULT_LEVELS))) {
    throw new TypeError(
      `compress: encodings must be a list of "br", "zstd", "gzip", "deflate", got ${describe(encodings)}`,
    );
  }
  if (typeof threshold !== "number" || !(threshold >= 0) || !Number.isFinite(threshold)) {
    throw new TypeError(`compress: threshold must be a number of bytes ≥ 0, got ${describe(threshold)}`);
  }
  if (typeof compressible !== "function") {
    throw new TypeError(
      `compress: compressible must be a function (contentType) => boolean, got ${describe(compressible)}`,
    );
  }
  const levels = { ...DEFAULT_LEVELS, ...checkLevels(level) };
  // zlib where the runtime has it (Node, Deno, Bun): faster, leveled, flushable; CompressionStream elsewhere.
  const native = runtime === "workerd" ? [] : zlibEncodings();
  const available: readonly CompressEncoding[] = native.length > 0 ? native : webCodings();
  return {
    encodings: encodings.filter((e) => available.includes(e)),
    threshold,
    levels,
    compressible,
    zlib: native.length > 0,
  };
}

function checkLevels(level: unknown): Partial<Record<CompressEncoding, number>> {
  if (typeof level !== "object" || level === null) {
    throw new TypeError(`compress: level must be an object such as { gzip: 6 }, got ${describe(level)}`);
  }
  for (const [coding, value] of Object.entries(level)) {
    const range = LEVEL_RANGES[coding as CompressEncoding];
    if (range === undefined) throw new TypeError(`compress: level.${coding} is not a coding compress knows`);
    if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new TypeError(
        `compress: level.${coding} must be an integer ${range[0]}–${range[1]}, got ${describe(value)}`,
      );
    }
  }
  return level as Partial<Record<CompressEncoding, number>>;
}

/**
 * Whether `response` is one compress may touch at all, whatever the client
 * accepts: cheap header reads, the size first (the common case of a small
 * body ends here, without a Vary). Its body is not looked at.
 */
function isCandidate(settings: CompressSettings, request: Request, response: Response): boolean {
  if (request.method === "HEAD") return false;
  const headers = response.headers;
  const status = response.status;
  if (status === 204 || status === 206 || status === 304 || status < 200) return false;
  const length = headers.get("content-length");
  if (length !== null && Number(length) < settings.threshold) return false;
  const encoding = headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return false;
  const type = headers.get("content-type");
  if (type === null || !settings.compressible(type)) return false;
  // CompressionStream cannot flush: events would wait in it until kilobytes gathered.
  if (!settings.zlib && type.toLowerCase().startsWith("text/event-stream")) return false;
  const cacheControl = headers.get("cache-control");
  return cacheControl === null || !/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(cacheControl);
}

/** The response compressed, or with only its Vary completed, or as it was. */
function compressResponse(settings: CompressSettings, request: Request, response: Response): Response {
  if (!isResponse(response) || !isCandidate(settings, request, response)) return response;
  const coding = negotiateEncoding(request.headers.get("accept-encoding"), settings.encodings);
  if (coding === "identity") return withVary(response);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("accept-ranges"); // ranges of the coded bytes are not offered
  headers.set("content-encoding", coding);
  headers.set("vary", varyWith(headers.get("vary"), "Accept-Encoding"));
  const etag = headers.get("etag");
  if (etag !== null && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
  // A body in memory (Node's light Response) is compressed in one call and keeps a length.
  const inMemory = settings.zlib ? memoryBody(response) : undefined;
  if (inMemory !== undefined) {
    const compressed = zlibCompressSync(inMemory, coding, settings.levels[coding]);
    headers.set("content-length", String(compressed.byteLength));
    return new Response(compressed as Uint8Array<ArrayBuffer>, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
  // `body` last, once compressing is decided: reading it makes Node's light Response (and Deno's
  // string body) build a stream, which costs more than everything above; and Bun forgets a Blob
  // body's Content-Type when `body` is read before `headers`.
  const source = response.body;
  if (source === null) return response;
  const body = settings.zlib
    ? zlibCompressed(source, coding, settings.levels[coding])
    : source.pipeThrough(webCompressor(coding));
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers,
    // Workers would compress a body naming a Content-Encoding once more; other runtimes ignore this.
    encodeBody: "manual",
  } as ResponseInit);
}

/** `response` saying it varies with Accept-Encoding: in place when its headers are mutable, else a copy. */
function withVary(response: Response): Response {
  const vary = response.headers.get("vary");
  const merged = varyWith(vary, "Accept-Encoding");
  if (merged === vary) return response;
  try {
    response.headers.set("vary", merged);
    // Bun ignores writes to a fetched response's headers without throwing: check.
    if (response.headers.get("vary") === merged) return response;
  } catch { /* immutable headers (a fetch() response on Node and Deno) */ }
  const headers = new Headers(response.headers);
  headers.set("vary", merged);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
