/**
 * The filesystem through `node:fs` (Node; Bun reuses it with its own bodies).
 *
 * Why `node:fs/promises` is imported dynamically: a Workers bundle contains
 * this module (behind a runtime check it never passes there), and a bundler
 * told to leave `node:*` alone would hoist a static import to the top of the
 * bundle, which then fails to load on workerd without `nodejs_compat`. A
 * literal dynamic import stays where it is and runs on Node and Bun only.
 *
 * @module
 */
import type { FileHandle } from "node:fs/promises";
import { type DirEntry, FileAccessError, type FileSource } from "../source.ts";
import { boundedStream, type FsSourceOptions, inside, join, missingOrDenied, trimRoot } from "./fs_common.ts";

export type { FsSourceOptions };

/**
 * A {@linkcode FileSource} over `node:fs/promises`.
 *
 * Loaded by `serveStatic(root)` on Node; not exported from the barrel, so
 * that bundles for Workers never see `node:fs`.
 *
 * @example What serveStatic does with a folder path on Node
 * ```ts
 * const source = await nodeFileSource("./public");
 * ```
 */
export async function nodeFileSource(root: string, options: FsSourceOptions = {}): Promise<FileSource> {
  const { open, readdir, readFile, realpath, stat } = await import("node:fs/promises");
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
      return missingOrDenied(error);
    }
  };
  const source: FileSource = {
    async stat(path) {
      const real = await resolveReal(path);
      if (real === undefined) return undefined;
      try {
        const info = await stat(real);
        if (info.isFile()) return { kind: "file", size: info.size, mtimeMs: info.mtimeMs };
        if (info.isDirectory()) return { kind: "directory", size: 0, mtimeMs: info.mtimeMs };
        return undefined;
      } catch (error) {
        return missingOrDenied(error);
      }
    },
    async body(path, start, end) {
      let handle: FileHandle;
      try {
        handle = await open(join(base, path), "r");
      } catch (error) {
        missingOrDenied(error);
        throw new FileAccessError("vanished after stat", 404);
      }
      return boundedStream(
        end - start,
        chunkSize,
        async (buffer, sent) => (await handle.read(buffer, 0, buffer.length, start + sent)).bytesRead,
        () => void handle.close().catch(() => {}),
      );
    },
    async read(path) {
      try {
        return await readFile(join(base, path)) as Uint8Array<ArrayBuffer>;
      } catch (error) {
        missingOrDenied(error);
        throw new FileAccessError("vanished after stat", 404);
      }
    },
    async list(path) {
      const dir = join(base, path);
      const names = await readdir(dir).catch(missingOrDenied);
      const entries: DirEntry[] = [];
      for (const name of names ?? []) {
        const info = await source.stat(path === "" ? name : `${path}/${name}`).catch(() => undefined);
        if (info) entries.push({ name, ...info });
      }
      return entries;
    },
  };
  return source;
}
