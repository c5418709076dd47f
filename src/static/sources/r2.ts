/**
 * An R2 bucket as a file source (Workers): `head` for stat, ranged `get` for
 * bodies, `list` with a delimiter for directories.
 *
 * @module
 */
import { type DirEntry, FileAccessError, type FileSource, type FileStat } from "../source.ts";

/** The parts of an R2 object the source reads. */
export interface R2ObjectLike {
  /** The object's key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Upload time, used as Last-Modified. */
  uploaded: Date;
  /** R2's etag (unquoted), used as the strong ETag. */
  etag: string;
}

/** The parts of an R2 object body the source reads. */
export interface R2ObjectBodyLike extends R2ObjectLike {
  /** The bytes, streamed. */
  body: ReadableStream<Uint8Array>;
  /** The bytes, at once (small files for the cache). */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The parts of an R2 bucket binding the source uses (structurally typed: no Workers types needed). */
export interface R2BucketLike {
  /** Metadata of one object, `null` when missing. */
  head(key: string): Promise<R2ObjectLike | null>;
  /** One object (or a range of it) with its body, `null` when missing. */
  get(key: string, options?: { range?: { offset: number; length: number } }): Promise<R2ObjectBodyLike | null>;
  /** Objects and common prefixes under a prefix. */
  list(options: { prefix?: string; delimiter?: string; limit?: number; cursor?: string }): Promise<{
    objects: R2ObjectLike[];
    delimitedPrefixes: string[];
    truncated: boolean;
    cursor?: string;
  }>;
}

/** Options of {@linkcode r2Source}. */
export interface R2SourceOptions {
  /** Key prefix the served root maps to, e.g. `"site/"` (default `""`). */
  prefix?: string;
}

/**
 * A {@linkcode FileSource} over an R2 bucket. Keys are paths (`css/site.css`);
 * a "directory" is any prefix that has keys below it.
 *
 * @example A Worker serving a bucket
 * ```ts
 * import { r2Source } from "@fetchkit/core/static";
 * import { serveStatic } from "@fetchkit/core";
 * import type { R2BucketLike } from "@fetchkit/core/static";
 * export default {
 *   fetch(request: Request, env: { BUCKET: R2BucketLike }) {
 *     return serveStatic(r2Source(env.BUCKET))(request);
 *   },
 * };
 * ```
 */
export function r2Source(bucket: R2BucketLike, options: R2SourceOptions = {}): FileSource {
  if (typeof bucket?.head !== "function" || typeof bucket?.get !== "function") {
    throw new TypeError("r2Source: bucket must be an R2 bucket binding (with head, get and list)");
  }
  const prefix = options.prefix ?? "";
  const key = (path: string) => prefix + path;
  const toStat = (object: R2ObjectLike): FileStat => ({
    kind: "file",
    size: object.size,
    mtimeMs: object.uploaded.getTime(),
    etag: object.etag,
  });
  return {
    async stat(path) {
      if (path !== "") {
        const object = await bucket.head(key(path));
        if (object !== null) return toStat(object);
      }
      if (path === "") return { kind: "directory", size: 0, mtimeMs: NaN };
      const below = await bucket.list({ prefix: `${key(path)}/`, limit: 1 });
      return below.objects.length > 0 || below.delimitedPrefixes.length > 0
        ? { kind: "directory", size: 0, mtimeMs: NaN }
        : undefined;
    },
    async body(path, start, end, stat) {
      const whole = start === 0 && end === stat.size;
      const object = await bucket.get(key(path), whole ? undefined : { range: { offset: start, length: end - start } });
      if (object === null) throw new FileAccessError("object vanished after head", 404);
      return object.body;
    },
    async read(path) {
      const object = await bucket.get(key(path));
      if (object === null) throw new FileAccessError("object vanished after head", 404);
      return new Uint8Array(await object.arrayBuffer());
    },
    async list(path) {
      const dir = path === "" ? prefix : `${key(path)}/`;
      const entries: DirEntry[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const listed = await bucket.list({ prefix: dir, delimiter: "/", cursor });
        for (const object of listed.objects) entries.push({ name: object.key.slice(dir.length), ...toStat(object) });
        for (const sub of listed.delimitedPrefixes) {
          entries.push({ name: sub.slice(dir.length, -1), kind: "directory", size: 0, mtimeMs: NaN });
        }
        if (!listed.truncated) break;
        cursor = listed.cursor;
      }
      return entries;
    },
  };
}
