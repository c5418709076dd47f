/**
 * What the cold path precomputes for a URL path (an entry): for a file, its
 * variants (the file itself and its precompressed siblings), each with its
 * validators and whole header sets, so the hot path only picks one.
 *
 * @module
 */
import type { PreparedAnswer, PreparedHead } from "../internal/prepared.ts";
import { runtime } from "../internal/runtime.ts";
import { formatHttpDate } from "./conditional.ts";
import { contentTypeFor } from "./content_type.ts";
import { type Encoding, ENCODING_EXTENSIONS } from "./encoding.ts";
import type { FileStat } from "./source.ts";

/** The coding of a variant: a precompressed sibling's, or the file's own bytes. */
export type Coding = Encoding | "identity";

/** One representation of a file: the file itself or a precompressed sibling. */
export interface Variant {
  encoding: Coding;
  path: string;
  stat: FileStat;
  etag: string;
  /** Whole seconds, NaN when the source does not know. */
  lastModified: number;
  /** Headers of a 200; copied by `new Response`, never mutated. */
  full: Record<string, string>;
  /** Headers of a 304. */
  notModified: Record<string, string>;
  /** The init of a 200: `full`, and for precompressed bytes Workers' `encodeBody: "manual"`. */
  ok: ResponseInit;
  /**
   * The bytes when in the body cache. A Uint8Array rather than a Blob: Deno
   * and Bun send bytes bodies natively without a JS stream (measured faster
   * end to end on all three runtimes, though a Blob is cheaper to construct).
   */
  body: Uint8Array<ArrayBuffer> | undefined;
  loading: Promise<Uint8Array<ArrayBuffer> | undefined> | undefined;
  /** Served from memory since the eviction loop last looked (second-chance LRU). */
  hit: boolean;
  /** A never-consumed 200 with the cached body, cloned per request where that is cheap. */
  template: Response | undefined;
  /** The 200 with the cached body as a prepared answer (src/internal/prepared.ts), where no template is kept. */
  answer: PreparedAnswer | undefined;
  /** The heads of its hot answers: the 200 (`full`), a single range's 206 (`partial`) and the 304. */
  heads: { full: PreparedHead; partial: PreparedHead; notModified: PreparedHead };
  /** A never-consumed 304, cloned per request where that is cheap; made on first use. */
  notModifiedTemplate: Response | undefined;
  /**
   * The last single range served from the cached body, as a never-consumed
   * 206 cloned when the same Range comes again (players and viewers repeat
   * theirs), where cloning is cheap; its bytes count in the body budget.
   */
  partialTemplate: { range: string; response: Response; weight: number } | undefined;
  /**
   * Where no template is kept: the last single range served from the cached
   * body as a prepared answer (its body a view of the cached bytes), so the
   * same Range again is neither parsed nor formatted again.
   */
  partialAnswer: { range: string; answer: PreparedAnswer } | undefined;
}

/** A URL path that names a file (or a directory's index file). */
export interface FileEntry {
  kind: "file";
  checkedAt: number;
  variants: Variant[];
  codings: Encoding[];
}

/** A URL path answered without a file: a directory redirect, a listing, or a status (404, 403, 400, 500). */
export interface OtherEntry {
  kind: "redirect" | "listing" | "status";
  checkedAt: number;
  status: number;
  path: string;
  /** A clean URL's redirect target (a raw path below the mount); a directory's redirect has none. */
  location?: string;
}

/** What a URL path resolves to. */
export type Entry = FileEntry | OtherEntry;

/**
 * Bun builds a Response fastest from a Headers object it can copy wholesale;
 * Deno and Node fastest from a plain record (measured per call).
 */
const PREBUILT_HEADERS = runtime === "bun";

/**
 * Workers compress a body themselves when the response names a
 * Content-Encoding, unless told the bytes are already encoded; other runtimes
 * ignore the option.
 */
export function manualEncoding(encoding: Coding): { encodeBody?: "manual" } {
  return encoding === "identity" ? {} : { encodeBody: "manual" };
}

/** How a file's variants are described: the per-source and per-path parts of their headers. */
export interface VariantHeaders {
  /** The source's own headers ({@linkcode FileSource.headers}). */
  source: Readonly<Record<string, string>> | undefined;
  /** Cache-Control of a path relative to the root, `undefined` for none. */
  cacheControlFor: (path: string) => string | undefined;
}

/**
 * The entry of the file at `path`, with `siblings` its precompressed
 * variants found (in preference order). Any sibling makes every variant
 * answer `Vary: Accept-Encoding`.
 */
export function fileEntry(
  path: string,
  stat: FileStat,
  siblings: readonly [Encoding, FileStat][],
  headers: VariantHeaders,
  now: number,
): FileEntry {
  const type = contentTypeFor(path.slice(path.lastIndexOf("/") + 1));
  const vary = siblings.length > 0;
  const variants = [makeVariant(path, "identity", stat, type, vary, headers)];
  for (const [encoding, found] of siblings) variants.push(makeVariant(path, encoding, found, type, vary, headers));
  return { kind: "file", checkedAt: now, variants, codings: siblings.map(([e]) => e) };
}

/** An entry without a file. */
export function otherEntry(kind: OtherEntry["kind"], status: number, path = "", now = Date.now()): OtherEntry {
  return { kind, checkedAt: now, status, path };
}

function makeVariant(
  path: string,
  encoding: Coding,
  stat: FileStat,
  type: string,
  vary: boolean,
  headers: VariantHeaders,
): Variant {
  const lastModified = Number.isFinite(stat.mtimeMs) ? Math.floor(stat.mtimeMs / 1000) : NaN;
  const etag = etagOf(stat, encoding);
  const notModified: Record<string, string> = { etag };
  if (!Number.isNaN(lastModified)) notModified["last-modified"] = formatHttpDate(lastModified);
  const cacheControl = headers.cacheControlFor(path);
  if (cacheControl !== undefined) notModified["cache-control"] = cacheControl;
  if (vary) notModified["vary"] = "Accept-Encoding";
  const full: Record<string, string> = {
    "content-type": type,
    "content-length": String(stat.size),
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
    ...headers.source,
    ...notModified,
  };
  if (encoding !== "identity") full["content-encoding"] = encoding;
  const sourcePath = encoding === "identity" ? path : path + ENCODING_EXTENSIONS[encoding];
  const ok = { status: 200, headers: PREBUILT_HEADERS ? new Headers(full) : full, ...manualEncoding(encoding) };
  const { "content-length": _, ...partial } = full;
  return {
    encoding,
    path: sourcePath,
    stat,
    etag,
    lastModified,
    full,
    notModified,
    ok,
    body: undefined,
    loading: undefined,
    hit: false,
    template: undefined,
    answer: undefined,
    heads: { full: { fields: full }, partial: { fields: partial }, notModified: { fields: notModified } },
    notModifiedTemplate: undefined,
    partialTemplate: undefined,
    partialAnswer: undefined,
  };
}

/** A strong ETag: the source's own validator, else size and mtime; a coded variant's names its coding. */
function etagOf(stat: FileStat, encoding: Coding): string {
  let tag = stat.etag !== undefined
    ? stat.etag.replace(/^W\//, "").replace(/[^\x21\x23-\x7e]/g, "") // etagc only, unquoted
    : `${stat.size.toString(36)}-${Math.floor(stat.mtimeMs || 0).toString(36)}`;
  if (encoding !== "identity") tag += `-${encoding}`;
  return `"${tag}"`;
}
