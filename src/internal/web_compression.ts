/**
 * The portable compressor: the runtime's `CompressionStream`, for what has no
 * zlib to use (Workers) and for the static handler, which compresses a small
 * file once and keeps the result. The formats differ per runtime (measured):
 * gzip and deflate everywhere, `"brotli"` on Node 24, Deno and Bun, `"zstd"`
 * on Bun only; workerd has gzip and deflate.
 *
 * @module
 */

/** A content coding a compressor can produce. */
export type ContentCoding = "br" | "zstd" | "gzip" | "deflate";

/** The CompressionStream format of each coding. */
const FORMATS: Readonly<Record<ContentCoding, string>> = {
  br: "brotli",
  zstd: "zstd",
  gzip: "gzip",
  deflate: "deflate",
};

let supported: ContentCoding[] | undefined;

/**
 * The codings this runtime's CompressionStream can produce, probed once.
 *
 * @example
 * ```ts
 * import { webCodings } from "./web_compression.ts";
 * webCodings().includes("gzip"); // true on every runtime
 * ```
 */
export function webCodings(): readonly ContentCoding[] {
  return supported ??= (Object.keys(FORMATS) as ContentCoding[]).filter(canCompress);
}

function canCompress(coding: ContentCoding): boolean {
  if (typeof CompressionStream !== "function") return false;
  try {
    new CompressionStream(FORMATS[coding] as CompressionFormat);
    return true;
  } catch {
    return false;
  }
}

/**
 * A CompressionStream for `coding` (one {@linkcode webCodings} lists). It
 * cannot be flushed: small chunks wait in it until enough output gathers.
 *
 * @example
 * ```ts
 * import { webCompressor } from "./web_compression.ts";
 * const gzipped = new Response("hello").body!.pipeThrough(webCompressor("gzip"));
 * ```
 */
export function webCompressor(coding: ContentCoding): TransformStream<Uint8Array, Uint8Array> {
  return new CompressionStream(FORMATS[coding] as CompressionFormat) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
}

/**
 * `bytes` compressed whole with the portable compressor.
 *
 * @example
 * ```ts
 * import { compressBytes } from "./web_compression.ts";
 * const gzipped = await compressBytes(new TextEncoder().encode("hello"), "gzip");
 * ```
 */
export async function compressBytes(bytes: Uint8Array, coding: ContentCoding): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Response(bytes as Uint8Array<ArrayBuffer>).body!.pipeThrough(webCompressor(coding));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
