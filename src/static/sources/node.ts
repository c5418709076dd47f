/**
 * The filesystem through `node:fs` (Node; Bun reuses it with its own bodies).
 *
 * @module
 */
import { type FileHandle, open, readdir, readFile, realpath, stat } from "node:fs/promises";
import { type DirEntry, FileAccessError, type FileSource } from "../source.ts";
import { type FsSourceOptions, inside, join, trimRoot } from "./fs_common.ts";

export type { FsSourceOptions };

/** Error codes that mean "not there" rather than "broken". */
export const MISSING_CODES: ReadonlySet<string> = new Set(["ENOENT", "ENOTDIR", "ENAMETOOLONG", "ELOOP", "EINVAL"]);
const DENIED_CODES: ReadonlySet<string> = new Set(["EACCES", "EPERM"]);

/** Maps a filesystem error: `undefined` for missing, a FileAccessError for denied, else rethrows. */
export function fsError(error: unknown): undefined {
  const code = (error as { code?: string } | null)?.code;
  if (code !== undefined && MISSING_CODES.has(code)) return undefined;
  if (code !== undefined && DENIED_CODES.has(code)) throw new FileAccessError(String(error));
  throw error;
}

/**
 * A {@linkcode FileSource} over `node:fs/promises`.
 *
 * Loaded by `serveStatic(root)` on Node; not exported from the barrel, so
 * that bundles for Workers never see `node:fs`.
 *
 * @example What serveStatic does with a folder path on Node
 * ```ts
 * const source = nodeFileSource("./public");
 * ```
 */
export function nodeFileSource(root: string, options: FsSourceOptions = {}): FileSource {
  const base = trimRoot(root);
  const chunkSize = options.chunkSize ?? 256 * 1024;
  let rootReal: string | undefined;
  const resolveReal = async (path: string): Promise<string | undefined> => {
    if (rootReal === undefined) {
      try {
        rootReal = await realpath(base);
      } catch (error) {
        // A missing root is a configuration error, not a miss: a logged 500 says so.
        throw new Error(`serveStatic: cannot open the root folder ${base}: ${error}`);
      }
    }
    try {
      const real = await realpath(join(base, path));
      if (options.followSymlinks || inside(rootReal, real)) return real;
      return undefined;
    } catch (error) {
      return fsError(error);
    }
  };
  return {
    async stat(path) {
      const real = await resolveReal(path);
      if (real === undefined) return undefined;
      try {
        const info = await stat(real);
        if (info.isFile()) return { kind: "file", size: info.size, mtimeMs: info.mtimeMs };
        if (info.isDirectory()) return { kind: "directory", size: 0, mtimeMs: info.mtimeMs };
        return undefined;
      } catch (error) {
        return fsError(error);
      }
    },
    async body(path, start, end) {
      let handle: FileHandle;
      try {
        handle = await open(join(base, path), "r");
      } catch (error) {
        fsError(error);
        throw new FileAccessError("vanished after stat", 404);
      }
      return fileStream(handle, start, end, chunkSize);
    },
    async read(path) {
      try {
        return await readFile(join(base, path)) as Uint8Array<ArrayBuffer>;
      } catch (error) {
        fsError(error);
        throw new FileAccessError("vanished after stat", 404);
      }
    },
    async list(path) {
      const dir = join(base, path);
      const names = await readdir(dir).catch(fsError);
      const entries: DirEntry[] = [];
      for (const name of names ?? []) {
        const info = await this.stat(path === "" ? name : `${path}/${name}`).catch(() => undefined);
        if (info) entries.push({ name, ...info });
      }
      return entries;
    },
  };
}

/**
 * Streams `[start, end)` of an open file, one bounded read per pull, closing
 * the handle exactly once: at the end, on cancel (client gone), on error.
 */
function fileStream(handle: FileHandle, start: number, end: number, chunkSize: number): ReadableStream<Uint8Array> {
  let position = start;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    handle.close().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const want = Math.min(chunkSize, end - position);
        if (want <= 0) {
          close();
          controller.close();
          return;
        }
        const buffer = new Uint8Array(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        if (closed) return; // cancelled while reading
        if (bytesRead === 0) throw new Error("file shrank while being sent");
        position += bytesRead;
        controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
        if (position >= end) {
          close();
          controller.close();
        }
      } catch (error) {
        close();
        controller.error(error);
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 1 });
}
