/**
 * The options of `serveStatic`: their types, their checks (a TypeError
 * naming the bad option, at construction) and their defaults.
 *
 * @module
 */
import { defaultCacheControl, FINGERPRINT } from "./cache_control.ts";
import { type Encoding, ENCODING_EXTENSIONS } from "./encoding.ts";
import { type Mode, resolveMode } from "../internal/mode.ts";

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
  /**
   * `"development"` answers a 404 that a browser asks for with a page naming
   * the path; `"production"` with a short `Not Found`. Default: from
   * `FETCHKIT_ENV`, then `NODE_ENV`, production unless one says development.
   */
  mode?: Mode;
  /**
   * Clean URLs, as `npx serve` has them: `/about` serves `about.html` when
   * there is no `about`, and `/about.html` redirects (301) to `/about`
   * (`/docs/index.html` to `/docs/`). Default false.
   */
  cleanUrls?: boolean;
  /**
   * Single-page app: a navigation request (GET or HEAD accepting
   * `text/html`, for a path whose last segment has no extension) that finds
   * no file gets the root's index file, for the app's router to read the
   * path. Asset-looking paths (`/app.js`, `/logo.png`) still miss. Default false.
   */
  spa?: boolean;
  /**
   * Compress text files (HTML, CSS, JavaScript, JSON, SVG…, 1 KiB or more) on the fly for clients
   * that accept a coding no precompressed sibling offers, with the runtime's CompressionStream;
   * compressed copies of files up to `cache.maxFileBytes` are kept (a quarter of `cache.maxBytes`).
   * Default false: precompressed siblings cost nothing per request, and the plain hot path stays as fast.
   */
  compress?: boolean;
}

/** The options with every default applied: what the handler reads. */
export interface StaticSettings {
  fallthrough: boolean;
  indexNames: string[];
  listing: boolean;
  dotfiles: "ignore" | "deny" | "allow";
  precompressed: Encoding[];
  cacheControlFor: (path: string) => string | undefined;
  maxRanges: number;
  followSymlinks: boolean | undefined;
  cache: Required<StaticCacheOptions>;
  onError: (error: unknown) => void;
  mode: Mode;
  cleanUrls: boolean;
  spa: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Throws a TypeError naming the first bad argument of `serveStatic(root, options)`. */
export function checkOptions(root: unknown, options: unknown): void {
  checkRoot(root);
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
  checkCacheOptions(o.cache);
  if (o.compress !== undefined && typeof o.compress !== "boolean") {
    throw new TypeError("serveStatic: options.compress must be a boolean");
  }
  if (o.onError !== undefined && typeof o.onError !== "function") {
    throw new TypeError("serveStatic: options.onError must be a function");
  }
  for (const name of ["cleanUrls", "spa"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") {
      throw new TypeError(`serveStatic: options.${name} must be true or false`);
    }
  }
  if (o.spa === true && o.index === false) throw new TypeError("serveStatic: options.spa needs an index file");
}

function checkRoot(root: unknown): void {
  if (typeof root === "string") {
    if (root === "") throw new TypeError("serveStatic: root must be a non-empty directory path");
  } else if (!isObject(root) || typeof root.stat !== "function" || typeof root.body !== "function") {
    throw new TypeError("serveStatic: root must be a directory path or a FileSource with stat() and body()");
  }
}

function checkCacheOptions(cache: unknown): void {
  if (cache === undefined || cache === false) return;
  if (!isObject(cache)) throw new TypeError("serveStatic: options.cache must be an object or false");
  for (const key of ["maxBytes", "maxFileBytes", "statTtl", "maxEntries"] as const) {
    const value = cache[key];
    if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
      throw new TypeError(`serveStatic: options.cache.${key} must be a non-negative number`);
    }
  }
}

/** The settings of checked `options`, defaults filled in. */
export function settingsOf(options: ServeStaticOptions): StaticSettings {
  return {
    fallthrough: options.fallthrough ?? false,
    indexNames: options.index === false ? [] : [...(options.index ?? ["index.html"])],
    listing: options.listing ?? false,
    dotfiles: options.dotfiles ?? "ignore",
    precompressed: options.precompressed === false ? [] : [...(options.precompressed ?? ["br", "zstd", "gzip"])],
    cacheControlFor: cacheControlPolicy(options.cacheControl, options.immutable ?? FINGERPRINT),
    maxRanges: options.maxRanges ?? 16,
    followSymlinks: options.followSymlinks,
    cache: cacheSettingsOf(options.cache),
    onError: options.onError ?? ((error: unknown) => console.error("serveStatic:", error)),
    mode: resolveMode(options.mode, "serveStatic: options.mode"),
    cleanUrls: options.cleanUrls ?? false,
    spa: options.spa ?? false,
  };
}

function cacheControlPolicy(
  option: ServeStaticOptions["cacheControl"],
  immutable: RegExp | false,
): (path: string) => string | undefined {
  if (typeof option === "string") return () => option;
  if (typeof option === "function") return option;
  return (path: string) => defaultCacheControl(path, immutable);
}

function cacheSettingsOf(cache: StaticCacheOptions | false | undefined): Required<StaticCacheOptions> {
  const options = cache === false ? { maxBytes: 0, maxFileBytes: 0, statTtl: 0, maxEntries: 0 } : cache ?? {};
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  return {
    maxBytes,
    maxFileBytes: Math.min(options.maxFileBytes ?? 256 * 1024, maxBytes),
    statTtl: options.statTtl ?? 1000,
    maxEntries: options.maxEntries ?? 10_000,
  };
}
