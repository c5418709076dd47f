/**
 * The codings of precompressed siblings. Negotiation itself is shared with
 * `compress` (src/internal/accept_encoding.ts).
 *
 * @module
 */
export { negotiateEncoding } from "../internal/accept_encoding.ts";

/** A content coding served from a precompressed sibling file. */
export type Encoding = "br" | "zstd" | "gzip";

/** The file extension of each coding's sibling (`app.js.br`). */
export const ENCODING_EXTENSIONS: Readonly<Record<Encoding, string>> = { br: ".br", zstd: ".zst", gzip: ".gz" };
