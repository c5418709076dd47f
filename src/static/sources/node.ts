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
import { type DirEntry, FileAccessError, type FileSource, type FileStat } from "../source.ts";
import {
  boundedStream,
  changedSinceStat,
  CheckedFiles,
  type FsSourceOptions,
  inside,
  join,
  missingOrDenied,
  sameFile,
  trimRoot,
} from "./fs_common.ts";
import { descriptorLocator } from "./descriptor.ts";

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
  return (await nodeFileSystem(root, options)).source;
}

/** The Node source and, for Bun's bodies, its check of a stat'ed file. */
export interface NodeFileSystem {
  source: FileSource;
  /**
   * Opens the file `stat` checked, proves it is still that file, closes it
   * and returns its real path.
   */
  verifiedPath(path: string, stat: FileStat): Promise<string>;
}

/**
 * {@linkcode nodeFileSource} with its check exposed, for a runtime that opens
 * the body itself (Bun).
 *
 * @example Bun's source
 * ```ts
 * const { source, verifiedPath } = await nodeFileSystem("./public");
 * ```
 */
export async function nodeFileSystem(root: string, options: FsSourceOptions = {}): Promise<NodeFileSystem> {
  const { open, readdir, realpath, stat } = await import("node:fs/promises");
  const { constants } = await import("node:fs");
  const locate = await descriptorLocator();
  // A body is opened at the checked real path: its last component cannot have become a
  // symlink, and a FIFO swapped in on the way must not hang the open.
  const openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  const base = trimRoot(root);
  const chunkSize = options.chunkSize ?? 256 * 1024;
  let rootReal: string | undefined;
  const checked = new CheckedFiles((path) => describe(path, true));
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
  /** Opens the file `stat` checked, at its real path, and proves the handle is still that file. */
  const openChecked = async (path: string, stat: FileStat): Promise<FileHandle> => {
    const file = await checked.of(path, stat);
    let handle: FileHandle;
    try {
      handle = await open(file.real, openFlags);
    } catch (error) {
      missingOrDenied(error);
      throw new FileAccessError("vanished after stat", 404);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile() || !sameFile(file, info)) throw changedSinceStat();
      return handle;
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  };
  /** Stats a path; `locating` also proves where the file is, for a stat that bodies will be opened by. */
  const describe = async (path: string, locating: boolean): Promise<FileStat | undefined> => {
    const real = await resolveReal(path);
    if (real === undefined) return undefined;
    try {
      const info = await stat(real);
      if (info.isDirectory()) return { kind: "directory", size: 0, mtimeMs: info.mtimeMs };
      if (!info.isFile()) return undefined;
      if (!locating) return { kind: "file", size: info.size, mtimeMs: info.mtimeMs };
      let identity = { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
      if (!options.followSymlinks) {
        const located = await locate(rootReal!, real);
        if (located === undefined) return undefined;
        if (located !== "unproven") identity = located;
      }
      const found: FileStat = { kind: "file", size: identity.size, mtimeMs: identity.mtimeMs };
      return checked.record(found, { real, ...identity });
    } catch (error) {
      return missingOrDenied(error);
    }
  };
  const source: FileSource = {
    stat: (path) => describe(path, true),
    async body(path, start, end, stat) {
      const handle = await openChecked(path, stat);
      return boundedStream(
        end - start,
        chunkSize,
        async (buffer, sent) => (await handle.read(buffer, 0, buffer.length, start + sent)).bytesRead,
        () => void handle.close().catch(() => {}),
      );
    },
    async read(path, stat) {
      const handle = await openChecked(path, stat);
      try {
        return await handle.readFile() as Uint8Array<ArrayBuffer>;
      } finally {
        await handle.close().catch(() => {});
      }
    },
    async list(path) {
      const dir = join(base, path);
      const names = await readdir(dir).catch(missingOrDenied);
      const entries: DirEntry[] = [];
      for (const name of names ?? []) {
        // Only names and sizes are shown: no descriptor check per entry.
        const info = await describe(path === "" ? name : `${path}/${name}`, false).catch(() => undefined);
        if (info) entries.push({ name, ...info });
      }
      return entries;
    },
  };
  const verifiedPath = async (path: string, stat: FileStat): Promise<string> => {
    const handle = await openChecked(path, stat);
    await handle.close().catch(() => {});
    return (await checked.of(path, stat)).real;
  };
  return { source, verifiedPath };
}
