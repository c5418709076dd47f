/**
 * The one small interface between the HTTP logic and where bytes live.
 *
 * @module
 */

/** What the handler needs to know about a path. */
export interface FileStat {
  /** Regular file or directory; anything else (sockets, devices) is reported as missing. */
  kind: "file" | "directory";
  /** Size in bytes (0 for directories). */
  size: number;
  /** Modification time in milliseconds since the epoch (`NaN` when unknown). */
  mtimeMs: number;
  /**
   * A strong validator the source already has (a content hash from a
   * manifest, R2's etag), quoted or not; otherwise the handler derives one
   * from size and modification time.
   */
  etag?: string;
}

/** One entry of a directory listing. */
export interface DirEntry extends FileStat {
  /** The entry's name (one segment). */
  name: string;
}

/**
 * Where static files come from: the filesystem on Deno, Bun and Node; a
 * manifest, an R2 bucket or the Static Assets binding on Workers.
 *
 * Paths are relative to the source's root, segments joined by `/`, never
 * starting with `/` (`""` is the root itself), already decoded and checked by
 * the handler. A source reports a missing path with `undefined` and a
 * permission problem by throwing a {@linkcode FileAccessError}; any other
 * thrown error becomes a logged 500.
 *
 * @example A source over a Map, e.g. for tests
 * ```ts
 * import { type FileSource } from "@fetchkit/core/static";
 * import { serveStatic } from "@fetchkit/core";
 * const files = new Map([["hello.txt", new TextEncoder().encode("hi\n")]]);
 * const source: FileSource = {
 *   stat: async (path) => {
 *     const bytes = files.get(path);
 *     if (bytes) return { kind: "file", size: bytes.length, mtimeMs: 0 };
 *     return path === "" ? { kind: "directory", size: 0, mtimeMs: 0 } : undefined;
 *   },
 *   body: (path, start, end) => files.get(path)!.subarray(start, end),
 *   read: async (path) => files.get(path)!,
 * };
 * const handler = serveStatic(source);
 * ```
 */
export interface FileSource {
  /** Describes a path; `undefined` when it does not exist (or may not be served, e.g. a symlink out of the root). */
  stat(path: string): Promise<FileStat | undefined>;
  /**
   * The bytes `[start, end)` of a file as a response body. Streams must read
   * in bounded chunks, pull only on demand, and release the file when they
   * end, are cancelled, or fail.
   */
  body(path: string, start: number, end: number, stat: FileStat): BodyInit | Promise<BodyInit>;
  /** The whole file in memory; only called for files below the cache's size limit. */
  read(path: string, stat: FileStat): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Optional: true when `path` still leads to the very file `stat` described
   * (this source's own stat result), unchanged, and every name missing next
   * to it then is still missing. When the stat cache's entry of a file
   * expires, the handler asks this instead of resolving the path again; any
   * doubt must answer false, which resolves it again in full.
   */
  unchanged?(path: string, stat: FileStat): Promise<boolean>;
  /** The entries of a directory, for the optional HTML listing. */
  list?(path: string): Promise<DirEntry[]>;
  /**
   * Headers added to every 200 and 206 of this source (HEAD included), for a
   * runtime that would otherwise add its own to some bodies only.
   */
  headers?: Readonly<Record<string, string>>;
}

/**
 * How a directory path becomes a {@linkcode FileSource}: the file system of
 * Deno, Bun or Node. The entry points hand one to `serveStatic` (Workers have
 * none), so the static core itself never imports a file system module.
 */
export interface FileSystemAccess {
  /** Whether this runtime has a file system to open. */
  available(): boolean;
  /** Opens `root` (a directory path) as a source. */
  open(root: string, options: { followSymlinks?: boolean }): Promise<FileSource>;
}

/**
 * A path may not be read (EACCES, EPERM: status 403) or vanished between stat
 * and open (status 404): the handler answers with the status and nothing more.
 *
 * @example Thrown by a source
 * ```ts
 * import { FileAccessError } from "@fetchkit/core/static";
 * throw new FileAccessError("permission denied");
 * ```
 */
export class FileAccessError extends Error {
  /** HTTP status the handler answers with. */
  readonly status: 403 | 404;
  /** Creates the error; the message is never sent to the client. */
  constructor(message = "permission denied", status: 403 | 404 = 403) {
    super(message);
    this.name = "FileAccessError";
    this.status = status;
  }
}
