/**
 * `serveStatic(root, options)`: the HTTP logic of static files, written once
 * above a {@linkcode FileSource}.
 *
 * Two paths through it. The cold path decodes and checks the request path,
 * stats the file (and its precompressed siblings), and precomputes everything
 * a response needs: validators and whole header sets. Its result is kept per
 * raw URL path for a short time (the stat cache), so the hot path is a Map
 * lookup, a few header reads and `new Response` — no `new URL`, no regex, and
 * for small files no file I/O at all (the body cache).
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { runtime } from "../internal/runtime.ts";
import { canonicalPathOf } from "../internal/canonical_path.ts";
import { pathStart, rawPath as rawPathOf, rawQuery } from "../internal/url.ts";
import { isPass, pass } from "../pass.ts";
import { defaultCacheControl, FINGERPRINT } from "./cache_control.ts";
import { etagListMatches, formatHttpDate, ifRangeMatches, parseHttpDate } from "./conditional.ts";
import { contentTypeFor } from "./content_type.ts";
import { type Encoding, ENCODING_EXTENSIONS, negotiateEncoding } from "./encoding.ts";
import { renderListing } from "./listing.ts";
import { multipartBytes, multipartLayout, multipartStream } from "./multipart.ts";
import { decodePath, hasDotSegment } from "./path.ts";
import { parseRange } from "./range.ts";
import { FileAccessError, type FileSource, type FileStat } from "./source.ts";
import { fileSystemSource, fsRuntime } from "./sources/fs.ts";
import { plainResponse } from "../internal/http.ts";

/** Settings of the in-memory caches; see {@linkcode ServeStaticOptions.cache}. */
export interface StaticCacheOptions {
  /**
   * Memory budget for file bodies (default 32 MiB; 0 keeps no bodies). On Deno
   * and Bun each cached file counts twice: a ready-made Response holds a copy.
   */
  maxBytes?: number;
  /** Largest file kept in memory (default 256 KiB). */
  maxFileBytes?: number;
  /**
   * Milliseconds a stat result is trusted before the file is checked again
   * (default 1000; 0 checks on every request, which also turns the body cache off).
   */
  statTtl?: number;
  /** Most URL paths remembered, hits and misses together (default 10,000). */
  maxEntries?: number;
}

/** Options of {@linkcode serveStatic}. */
export interface ServeStaticOptions {
  /**
   * Middleware mode: a miss (no such file, a refused path) or a method other
   * than GET and HEAD answers {@linkcode pass}, so dispatch or
   * {@linkcode staticFiles} hands the request to the app behind. Default
   * false: a miss is a 404 and other methods a 405.
   */
  fallthrough?: boolean;
  /** Files served for a directory, tried in order (default `["index.html"]`; `false` for none). */
  index?: readonly string[] | false;
  /** Render an HTML listing of directories without an index file (default false). */
  listing?: boolean;
  /** Paths with a segment starting with `.`: `"ignore"` 404 (default), `"deny"` 403, `"allow"` serve. */
  dotfiles?: "ignore" | "deny" | "allow";
  /**
   * Precompressed siblings to look for, in preference order (default
   * `["br", "zstd", "gzip"]`, files `name.br`, `name.zst`, `name.gz`); `false` for none.
   */
  precompressed?: readonly Encoding[] | false;
  /**
   * Cache-Control of file responses: a fixed value, or a function of the
   * path relative to the root (`undefined` to send none). Default:
   * `public, max-age=31536000, immutable` for fingerprinted names (see
   * `immutable`), `public, no-cache` otherwise.
   */
  cacheControl?: string | ((path: string) => string | undefined);
  /** Which names count as fingerprinted for the default Cache-Control (`false`: none). */
  immutable?: RegExp | false;
  /** Most ranges served in one multipart response; more are ignored (200). Default 16. */
  maxRanges?: number;
  /** Follow symlinks that point outside the root (filesystem sources; default false). */
  followSymlinks?: boolean;
  /** In-memory caches of stat results and small file bodies; `false` turns both off. */
  cache?: StaticCacheOptions | false;
  /** Where unexpected I/O errors go (default `console.error`), once per distinct error. */
  onError?: (error: unknown) => void;
}

type Coding = Encoding | "identity";

/** One representation of a file: the file itself or a precompressed sibling. */
interface Variant {
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
}

interface FileEntry {
  kind: "file";
  checkedAt: number;
  variants: Variant[];
  codings: Encoding[];
}
interface OtherEntry {
  kind: "redirect" | "listing" | "status";
  checkedAt: number;
  status: number;
  path: string;
}
type Entry = FileEntry | OtherEntry;

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
};
const ALLOW = "GET, HEAD";

function plain(status: number, headers: Record<string, string> = {}): Response {
  return plainResponse(status, REASONS[status], headers);
}

/**
 * Workers compress a body themselves when the response names a
 * Content-Encoding, unless told the bytes are already encoded; other runtimes
 * ignore the option.
 */
function manualEncoding(encoding: Coding): { encodeBody?: "manual" } {
  return encoding === "identity" ? {} : { encodeBody: "manual" };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Bun builds a Response fastest from a Headers object it can copy wholesale;
 * Deno and Node fastest from a plain record (measured per call).
 */
const PREBUILT_HEADERS = runtime === "bun";

/**
 * On Deno and Bun, cloning a prebuilt Response skips header validation and
 * costs a fraction of `new Response(bytes, init)` (measured 0.7 µs against
 * 4.9 µs on Deno, 0.2 against 0.9 on Bun), and their clones of a bytes body
 * stay independent. Node's fetch clones by teeing a stream, so not there.
 */
const CLONE_TEMPLATES = runtime === "bun" || runtime === "deno";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function checkOptions(root: unknown, options: unknown): void {
  if (typeof root === "string") {
    if (root === "") throw new TypeError("serveStatic: root must be a non-empty directory path");
  } else if (!isObject(root) || typeof root.stat !== "function" || typeof root.body !== "function") {
    throw new TypeError("serveStatic: root must be a directory path or a FileSource with stat() and body()");
  }
  if (options === undefined) return;
  if (!isObject(options)) throw new TypeError("serveStatic: options must be an object");
  const o = options as ServeStaticOptions;
  if (o.index !== undefined && o.index !== false) {
    if (!Array.isArray(o.index) || o.index.some((n) => typeof n !== "string" || n === "" || n.includes("/"))) {
      throw new TypeError("serveStatic: options.index must be false or an array of file names");
    }
  }
  if (o.dotfiles !== undefined && !["ignore", "deny", "allow"].includes(o.dotfiles)) {
    throw new TypeError(`serveStatic: options.dotfiles must be "ignore", "deny" or "allow"`);
  }
  if (o.precompressed !== undefined && o.precompressed !== false) {
    if (!Array.isArray(o.precompressed) || o.precompressed.some((e) => !(e in ENCODING_EXTENSIONS))) {
      throw new TypeError(`serveStatic: options.precompressed must be false or a list of "br", "zstd", "gzip"`);
    }
  }
  if (
    o.cacheControl !== undefined && typeof o.cacheControl !== "string" && typeof o.cacheControl !== "function"
  ) {
    throw new TypeError("serveStatic: options.cacheControl must be a string or a function");
  }
  if (o.immutable !== undefined && o.immutable !== false && !(o.immutable instanceof RegExp)) {
    throw new TypeError("serveStatic: options.immutable must be a RegExp or false");
  }
  if (o.maxRanges !== undefined && (!Number.isInteger(o.maxRanges) || o.maxRanges < 1)) {
    throw new TypeError("serveStatic: options.maxRanges must be a positive integer");
  }
  if (o.cache !== undefined && o.cache !== false) {
    if (!isObject(o.cache)) throw new TypeError("serveStatic: options.cache must be an object or false");
    for (const key of ["maxBytes", "maxFileBytes", "statTtl", "maxEntries"] as const) {
      const value = o.cache[key];
      if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
        throw new TypeError(`serveStatic: options.cache.${key} must be a non-negative number`);
      }
    }
  }
  if (o.onError !== undefined && typeof o.onError !== "function") {
    throw new TypeError("serveStatic: options.onError must be a function");
  }
}

/**
 * Serves the files under `root` (a directory path on Deno, Bun and Node, or
 * any {@linkcode FileSource}, such as {@linkcode memorySource} on Workers).
 *
 * The path served is the path of `request.url`: mount the handler at a
 * prefix and the prefix is already stripped; `context(request).base` is used
 * to build the directory redirect (`/static/docs` → `/static/docs/`).
 *
 * RFC 9110 semantics: strong ETags and Last-Modified, If-Match,
 * If-Unmodified-Since (412), If-None-Match, If-Modified-Since (304), Range
 * with single, suffix, open and multiple ranges (multipart/byteranges),
 * If-Range, 416; HEAD; 405 with Allow for other methods. Precompressed
 * siblings are negotiated by Accept-Encoding; small files are kept in memory.
 *
 * @example Standalone, mounted at a prefix
 * ```ts
 * import { mount, serve, serveStatic } from "@fetchkit/core";
 * const app = mount({ "/static": serveStatic("./public") });
 * ```
 *
 * @example In front of an app: misses fall through
 * ```ts
 * import { serveStatic } from "@fetchkit/core";
 * const files = serveStatic("./public", { fallthrough: true, listing: false });
 * ```
 */
export function serveStatic(root: string | FileSource, options: ServeStaticOptions = {}): Handler {
  checkOptions(root, options);
  if (typeof root === "string" && fsRuntime() === undefined) {
    throw new TypeError("serveStatic: this runtime has no filesystem; pass a FileSource such as memorySource()");
  }
  const fallthrough = options.fallthrough ?? false;
  const indexNames = options.index === false ? [] : [...(options.index ?? ["index.html"])];
  const listing = options.listing ?? false;
  const dotfiles = options.dotfiles ?? "ignore";
  const precompressed = options.precompressed === false ? [] : [...(options.precompressed ?? ["br", "zstd", "gzip"])];
  const immutable = options.immutable ?? FINGERPRINT;
  const cacheControlOption = options.cacheControl;
  const cacheControlFor = typeof cacheControlOption === "string"
    ? () => cacheControlOption
    : typeof cacheControlOption === "function"
    ? cacheControlOption
    : (path: string) => defaultCacheControl(path, immutable);
  const maxRanges = options.maxRanges ?? 16;
  const cacheOptions = options.cache === false
    ? { maxBytes: 0, maxFileBytes: 0, statTtl: 0, maxEntries: 0 }
    : options.cache ?? {};
  const maxBytes = cacheOptions.maxBytes ?? 32 * 1024 * 1024;
  const maxFileBytes = Math.min(cacheOptions.maxFileBytes ?? 256 * 1024, maxBytes);
  const statTtl = cacheOptions.statTtl ?? 1000;
  const maxEntries = cacheOptions.maxEntries ?? 10_000;
  const onError = options.onError ?? ((error: unknown) => console.error("serveStatic:", error));

  let source: FileSource | undefined = typeof root === "string" ? undefined : root;
  let loadingSource: Promise<FileSource> | undefined;
  const getSource = (): FileSource | Promise<FileSource> =>
    source ?? (loadingSource ??= fileSystemSource(root as string, { followSymlinks: options.followSymlinks })
      .then((loaded) => (source = loaded)));

  // --- errors: logged once per distinct message, bounded -------------------------------------------------
  const logged = new Set<string>();
  const report = (error: unknown) => {
    const key = String((error as Error)?.message ?? error);
    if (logged.has(key)) return;
    if (logged.size >= 1000) logged.clear();
    logged.add(key);
    onError(error);
  };

  // --- the stat cache: raw URL path -> precomputed entry, bounded, oldest out first ----------------------
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<Entry>>();
  /** Drops an entry and the bodies it holds, so the body budget only counts reachable files. */
  const forget = (rawPath: string) => {
    const old = entries.get(rawPath);
    if (old === undefined) return false;
    entries.delete(rawPath);
    if (old.kind === "file") { for (const v of old.variants) dropBody(v); }
    return true;
  };
  const remember = (rawPath: string, entry: Entry) => {
    if (maxEntries === 0 || statTtl === 0) return;
    if (!forget(rawPath) && entries.size >= maxEntries) forget(entries.keys().next().value!);
    entries.set(rawPath, entry);
  };

  // --- the body cache: bounded by bytes, least recently used out first ------------------------------------
  // An approximate LRU (second chance, as CLOCK): a hit only sets a flag, the
  // eviction loop moves flagged bodies to the young end instead of dropping
  // them. A hit costs one property write instead of a Map delete and set.
  const bodies = new Map<Variant, number>();
  let cachedBytes = 0;
  const dropBody = (v: Variant) => {
    const size = bodies.get(v);
    if (size === undefined) return;
    bodies.delete(v);
    cachedBytes -= size;
    v.body = undefined;
    v.template = undefined;
  };
  const keepBody = (v: Variant, body: Uint8Array<ArrayBuffer>) => {
    if (body.length > maxFileBytes) return;
    // With a template Response the bytes are held twice (the Response keeps its own copy).
    const weight = CLONE_TEMPLATES ? 2 * body.length : body.length;
    if (weight > maxBytes) return;
    while (cachedBytes + weight > maxBytes && bodies.size > 0) {
      const oldest = bodies.keys().next().value!;
      if (oldest.hit) {
        oldest.hit = false;
        const kept = bodies.get(oldest)!;
        bodies.delete(oldest);
        bodies.set(oldest, kept);
      } else {
        dropBody(oldest);
      }
    }
    v.body = body;
    v.hit = false;
    v.template = CLONE_TEMPLATES ? new Response(body, v.ok) : undefined;
    bodies.set(v, weight);
    cachedBytes += weight;
  };
  const loadBody = (v: Variant): Promise<Uint8Array<ArrayBuffer> | undefined> => {
    v.loading ??= (async () => {
      try {
        const bytes = await (await getSource()).read(v.path, v.stat);
        if (bytes.length !== v.stat.size) return undefined; // changed since stat: stream it this time
        // Only remember it if this variant is still the current one.
        if (currentVariant(v)) keepBody(v, bytes);
        return bytes;
      } catch {
        return undefined; // fall back to streaming, which reports properly
      } finally {
        v.loading = undefined;
      }
    })();
    return v.loading;
  };
  const variantOwners = new WeakMap<Variant, string>();
  const currentVariant = (v: Variant) => {
    const owner = variantOwners.get(v);
    const entry = owner === undefined ? undefined : entries.get(owner);
    return entry !== undefined && entry.kind === "file" && entry.variants.includes(v);
  };

  // --- the cold path: from raw path to entry -------------------------------------------------------------
  const statOrStatus = async (src: FileSource, path: string): Promise<FileStat | number | undefined> => {
    try {
      return await src.stat(path);
    } catch (error) {
      if (error instanceof FileAccessError) return error.status;
      report(error);
      return 500;
    }
  };

  const makeVariant = (
    src: FileSource,
    path: string,
    encoding: Coding,
    stat: FileStat,
    type: string,
    vary: boolean,
  ): Variant => {
    const lastModified = Number.isFinite(stat.mtimeMs) ? Math.floor(stat.mtimeMs / 1000) : NaN;
    let tag = stat.etag !== undefined
      ? stat.etag.replace(/^W\//, "").replace(/[^\x21\x23-\x7e]/g, "") // etagc only, unquoted
      : `${stat.size.toString(36)}-${Math.floor(stat.mtimeMs || 0).toString(36)}`;
    if (encoding !== "identity") tag += `-${encoding}`;
    const etag = `"${tag}"`;
    const notModified: Record<string, string> = { etag };
    if (!Number.isNaN(lastModified)) notModified["last-modified"] = formatHttpDate(lastModified);
    const cacheControl = cacheControlFor(path);
    if (cacheControl !== undefined) notModified["cache-control"] = cacheControl;
    if (vary) notModified["vary"] = "Accept-Encoding";
    const full: Record<string, string> = {
      "content-type": type,
      "content-length": String(stat.size),
      "accept-ranges": "bytes",
      "x-content-type-options": "nosniff",
      ...src.headers,
      ...notModified,
    };
    if (encoding !== "identity") full["content-encoding"] = encoding;
    const sourcePath = encoding === "identity" ? path : path + ENCODING_EXTENSIONS[encoding];
    const ok = { status: 200, headers: PREBUILT_HEADERS ? new Headers(full) : full, ...manualEncoding(encoding) };
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
    };
  };

  const fileEntry = async (src: FileSource, path: string, stat: FileStat, now: number): Promise<FileEntry> => {
    const type = contentTypeFor(path.slice(path.lastIndexOf("/") + 1));
    const siblings: [Encoding, FileStat][] = [];
    for (const encoding of precompressed) {
      const found = await statOrStatus(src, path + ENCODING_EXTENSIONS[encoding]);
      if (typeof found === "object" && found.kind === "file") siblings.push([encoding, found]);
    }
    const vary = siblings.length > 0;
    const variants = [makeVariant(src, path, "identity", stat, type, vary)];
    for (const [encoding, found] of siblings) variants.push(makeVariant(src, path, encoding, found, type, vary));
    return { kind: "file", checkedAt: now, variants, codings: siblings.map(([e]) => e) };
  };

  const other = (kind: OtherEntry["kind"], status: number, path = "", now = Date.now()): OtherEntry => ({
    kind,
    checkedAt: now,
    status,
    path,
  });

  const resolve = async (rawPath: string): Promise<Entry> => {
    const now = Date.now();
    const segments = decodePath(rawPath);
    if (typeof segments === "string") return other("status", 400, "", now);
    if (dotfiles !== "allow" && hasDotSegment(segments)) return other("status", dotfiles === "deny" ? 403 : 404);
    const src = await getSource();
    const wanted = segments.join("/");
    let path = wanted;
    let found = await statOrStatus(src, path);
    if (found === undefined && !isAscii(wanted)) {
      // The same name may be stored in the other Unicode normal form (macOS writes NFD).
      for (const form of ["NFC", "NFD"] as const) {
        const alternative = wanted.normalize(form);
        if (alternative === wanted) continue;
        found = await statOrStatus(src, alternative);
        if (found !== undefined) {
          path = alternative;
          break;
        }
      }
    }
    if (found === undefined) return other("status", 404, "", now);
    if (typeof found === "number") return other("status", found, "", now);
    const trailingSlash = rawPath.endsWith("/");
    if (found.kind === "file") {
      if (trailingSlash && segments.length > 0) return other("status", 404, "", now);
      return await fileEntry(src, path, found, now);
    }
    if (!trailingSlash) return other("redirect", 301, path, now);
    for (const name of indexNames) {
      const indexPath = path === "" ? name : `${path}/${name}`;
      const index = await statOrStatus(src, indexPath);
      if (typeof index === "object" && index.kind === "file") return await fileEntry(src, indexPath, index, now);
      if (typeof index === "number" && index !== 404) return other("status", index, "", now);
    }
    if (listing && src.list) return other("listing", 200, path, now);
    return other("status", 404, "", now);
  };

  const lookup = (rawPath: string, now: number): Entry | Promise<Entry> => {
    const hit = entries.get(rawPath);
    if (hit !== undefined && now - hit.checkedAt < statTtl) return hit;
    let job = pending.get(rawPath);
    if (job === undefined) {
      job = resolve(rawPath).then((entry) => {
        if (entry.kind === "file") {
          for (const v of entry.variants) variantOwners.set(v, rawPath);
          if (hit?.kind === "file") carryBodies(hit, entry);
        }
        if (!(entry.kind === "status" && entry.status === 500)) remember(rawPath, entry);
        return entry;
      }).finally(() => pending.delete(rawPath));
      pending.set(rawPath, job);
    }
    return job;
  };

  /** An unchanged file keeps its cached body across revalidation. */
  const carryBodies = (old: FileEntry, fresh: FileEntry) => {
    for (const v of fresh.variants) {
      const before = old.variants.find((o) => o.encoding === v.encoding && o.path === v.path);
      if (before?.body !== undefined && before.etag === v.etag && before.stat.size === v.stat.size) {
        const body = before.body;
        dropBody(before);
        keepBody(v, body);
      }
    }
  };

  // --- responses -----------------------------------------------------------------------------------------
  const miss = (status: number): Response => {
    if (fallthrough && (status === 404 || status === 400)) return pass();
    return plain(status);
  };

  const redirect = (request: Request, rawPath: string): Response => {
    // Collapse leading slashes: `//evil.example` must not become a protocol-relative Location.
    let start = 0;
    while (rawPath.charCodeAt(start + 1) === 0x2f) start++;
    const location = `${context(request).base}${rawPath.slice(start)}/${rawQuery(request.url)}`;
    let safe: string;
    try {
      // Deno hands over a raw UTF-8 request target undecoded (`/café`): encode what a header cannot carry.
      safe = location.replace(/[^\x21-\x7e]+/g, encodeURI);
    } catch {
      return miss(400); // a lone surrogate: no URL to redirect to
    }
    return new Response(null, { status: 301, headers: { location: safe, "content-length": "0" } });
  };

  const weightsMemo = new Map<string, Coding>();
  const pickVariant = (request: Request, entry: FileEntry): Variant => {
    const variants = entry.variants;
    if (variants.length === 1) return variants[0];
    const header = request.headers.get("accept-encoding");
    if (header === null) return variants[0];
    const memoKey = `${entry.codings.join(",")}|${header}`;
    let coding = weightsMemo.get(memoKey);
    if (coding === undefined) {
      coding = negotiateEncoding(header, entry.codings);
      if (weightsMemo.size >= 256) weightsMemo.clear();
      weightsMemo.set(memoKey, coding);
    }
    if (coding === "identity") return variants[0];
    for (const v of variants) if (v.encoding === coding) return v;
    return variants[0];
  };

  const sendFile = async (request: Request, isHead: boolean, entry: FileEntry): Promise<Response> => {
    const v = pickVariant(request, entry);
    const headers = request.headers;
    // Preconditions, in the order of RFC 9110 §13.2.2.
    const ifMatch = headers.get("if-match");
    if (ifMatch !== null) {
      if (!etagListMatches(ifMatch, v.etag, false)) return plain(412, v.notModified);
    } else {
      const ifUnmodifiedSince = headers.get("if-unmodified-since");
      if (ifUnmodifiedSince !== null && !Number.isNaN(v.lastModified)) {
        const date = parseHttpDate(ifUnmodifiedSince);
        if (date !== undefined && v.lastModified > date) return plain(412, v.notModified);
      }
    }
    const ifNoneMatch = headers.get("if-none-match");
    if (ifNoneMatch !== null) {
      if (etagListMatches(ifNoneMatch, v.etag, true)) {
        return new Response(null, { status: 304, headers: v.notModified });
      }
    } else {
      const ifModifiedSince = headers.get("if-modified-since");
      if (ifModifiedSince !== null && !Number.isNaN(v.lastModified)) {
        const date = parseHttpDate(ifModifiedSince);
        if (date !== undefined && v.lastModified <= date) {
          return new Response(null, { status: 304, headers: v.notModified });
        }
      }
    }
    const size = v.stat.size;
    if (!isHead) {
      const range = headers.get("range");
      if (range !== null) {
        const ifRange = headers.get("if-range");
        if (ifRange === null || ifRangeMatches(ifRange, v.etag, v.lastModified)) {
          const ranges = parseRange(range, size, maxRanges);
          if (ranges === "unsatisfiable") {
            return plain(416, { "content-range": `bytes */${size}`, "accept-ranges": "bytes", ...v.notModified });
          }
          if (ranges !== "ignore") return await partial(v, ranges);
        }
      }
    }
    if (isHead) return new Response(null, v.ok);
    if (v.body !== undefined) {
      v.hit = true;
      return v.template !== undefined ? v.template.clone() : new Response(v.body, v.ok);
    }
    if (size <= maxFileBytes && maxBytes > 0) {
      const bytes = await loadBody(v);
      if (bytes !== undefined) return new Response(bytes, v.ok);
    }
    return new Response(await (await getSource()).body(v.path, 0, size, v.stat), v.ok);
  };

  const partial = async (v: Variant, ranges: { start: number; end: number }[]): Promise<Response> => {
    const size = v.stat.size;
    const src = await getSource();
    const slice = (start: number, end: number): BodyInit | Promise<BodyInit> =>
      v.body !== undefined ? v.body.subarray(start, end) : src.body(v.path, start, end, v.stat);
    const { "content-length": _, ...rest } = v.full;
    if (ranges.length === 1) {
      const { start, end } = ranges[0];
      return new Response(await slice(start, end), {
        status: 206,
        headers: {
          ...rest,
          "content-length": String(end - start),
          "content-range": `bytes ${start}-${end - 1}/${size}`,
        },
        ...manualEncoding(v.encoding),
      });
    }
    const layout = multipartLayout(ranges, size, v.full["content-type"]);
    const { "content-encoding": __, "content-type": ___, ...framing } = rest;
    const headers: Record<string, string> = {
      ...framing,
      "content-type": layout.contentType,
      "content-length": String(layout.length),
    };
    if (v.encoding !== "identity") headers["content-encoding"] = v.encoding;
    const body = v.body !== undefined
      ? multipartBytes(layout, ranges, v.body)
      : multipartStream(layout, ranges, ({ start, end }) => slice(start, end));
    return new Response(body, {
      status: 206,
      headers,
      ...manualEncoding(v.encoding),
    });
  };

  const sendListing = async (request: Request, entry: OtherEntry, isHead: boolean): Promise<Response> => {
    const src = await getSource();
    const children = await src.list!(entry.path);
    const visible = dotfiles === "allow" ? children : children.filter((c) => !c.name.startsWith("."));
    let title = rawPathOf(request.url);
    try {
      title = decodeURIComponent(context(request).base + title);
    } catch { /* shown raw */ }
    const html = renderListing(title, visible, entry.path === "");
    return new Response(isHead ? null : html, {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
        "content-length": String(new TextEncoder().encode(html).length),
      },
    });
  };

  const respond = async (
    request: Request,
    rawPath: string,
    isHead: boolean,
    found: Entry | Promise<Entry>,
    recheck = true,
  ): Promise<Response> => {
    try {
      const entry = await found;
      switch (entry.kind) {
        case "file":
          return await sendFile(request, isHead, entry);
        case "redirect":
          return redirect(request, rawPath);
        case "listing":
          return await sendListing(request, entry, isHead);
        default:
          return miss(entry.status);
      }
    } catch (error) {
      if (error instanceof FileAccessError) {
        forget(rawPath);
        // The file vanished or is not the one checked (replaced, or swapped for a symlink):
        // check the path again, once, and answer as that check says.
        if (error.status === 404 && recheck) {
          return respond(request, rawPath, isHead, lookup(rawPath, Date.now()), false);
        }
        return miss(error.status);
      }
      report(error);
      return plain(500);
    }
  };

  return (request) => {
    const method = request.method;
    const isHead = method === "HEAD";
    if (method !== "GET" && !isHead) return fallthrough ? pass() : plain(405, { allow: ALLOW });
    // The canonical path, the one mount dispatched on: a file under `admin/` is reached only by a
    // request that a `/admin` mount in front of this would have routed there.
    const url = request.url;
    let rawPath = canonicalPathOf(url, pathStart(url));
    if (rawPath === undefined) return miss(400);
    if (rawPath === "/" && context(request).base !== "") {
      // Mounted at /static and asked for /static (no slash): mount hands us "/", but relative
      // links in an index page only work from /static/.
      const original = rawPathOf(context(request).originalUrl);
      if (!original.endsWith("/")) rawPath = "";
    }
    if (rawPath === "") return redirect(request, "");
    const now = Date.now();
    const found = lookup(rawPath, now);
    if (found instanceof Promise) return respond(request, rawPath, isHead, found);
    if (found.kind === "file") {
      // The hot path: synchronous whenever the body is in memory.
      const v = found.variants.length === 1 ? found.variants[0] : undefined;
      if (
        v !== undefined && v.body !== undefined && !isHead && request.headers.get("if-none-match") === null &&
        request.headers.get("if-modified-since") === null && request.headers.get("range") === null &&
        request.headers.get("if-match") === null && request.headers.get("if-unmodified-since") === null
      ) {
        v.hit = true;
        return v.template !== undefined ? v.template.clone() : new Response(v.body, v.ok);
      }
    }
    return respond(request, rawPath, isHead, found);
  };
}

/**
 * Static files in front of an app, as Django's StaticFilesHandler: GET and
 * HEAD requests for existing files are answered from `root`; everything else
 * (misses, refused paths, other methods) goes to the app unchanged.
 *
 * @example Files from ./public, the rest to the app
 * ```ts
 * import { serve, staticFiles } from "@fetchkit/core";
 * const app = (request: Request) => new Response("from the app");
 * const handler = staticFiles("./public")(app);
 * ```
 */
export function staticFiles(
  root: string | FileSource,
  options: Omit<ServeStaticOptions, "fallthrough"> = {},
): Middleware {
  const files = serveStatic(root, { ...options, fallthrough: true });
  return (next) => async (request) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return next(request);
    const response = await files(request);
    return isPass(response) ? next(request) : response;
  };
}
