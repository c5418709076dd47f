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
import type { DirEntry, FileSource, FileStat } from "../source.ts";
import {
  boundedStream,
  CheckedFiles,
  type FileIdentity,
  folderOf,
  type FsSourceOptions,
  inside,
  join,
  missingOrDenied,
  type OpenIo,
  settledFolder,
  stillChecked,
  trimRoot,
} from "./fs_common.ts";
import { descriptorLocator, type Locate } from "./descriptor.ts";

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
  const files = new NodeFiles(await import("node:fs/promises"), await import("node:fs"), root, options);
  files.locate = await descriptorLocator();
  const source: FileSource = {
    stat: (path) => files.describe(path, true),
    body: (path, start, end, stat) => files.body(path, start, end, stat),
    read: (path, stat) => files.read(path, stat),
    list: (path) => files.list(path),
    unchanged: (path, stat) => files.unchanged(path, stat),
  };
  return { source, verifiedPath: (path, stat) => files.verifiedPath(path, stat) };
}

type FsPromises = typeof import("node:fs/promises");

/** One root's files: the checked real paths, and the handles opened at them. */
class NodeFiles {
  locate: Locate = () => Promise.resolve("unproven" as const);
  readonly #fs: FsPromises;
  /**
   * A body is opened at the checked real path: its last component cannot have become a
   * symlink, and a FIFO swapped in on the way must not hang the open.
   */
  readonly #openFlags: number;
  readonly #base: string;
  readonly #followSymlinks: boolean;
  readonly #chunkSize: number;
  readonly #checked = new CheckedFiles((path) => this.describe(path, true));
  readonly #io: OpenIo<FileHandle> = {
    open: (real) => this.#fs.open(real, this.#openFlags),
    identify: async (handle) => {
      const info = await handle.stat();
      return info.isFile() ? info : undefined;
    },
    close: (handle) => handle.close().catch(() => {}),
  };
  #rootReal: string | undefined;

  constructor(fs: FsPromises, fsSync: typeof import("node:fs"), root: string, options: FsSourceOptions) {
    const { constants } = fsSync;
    this.#fs = fs;
    this.#openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
    this.#base = trimRoot(root);
    this.#followSymlinks = options.followSymlinks ?? false;
    this.#chunkSize = options.chunkSize ?? 256 * 1024;
  }

  /** The real path of `path` under the root; `undefined` when missing or a symlink out of the root. */
  async resolveReal(path: string): Promise<string | undefined> {
    if (this.#rootReal === undefined) {
      try {
        this.#rootReal = await this.#fs.realpath(this.#base);
      } catch (error) {
        // A missing root is a configuration error, not a miss: a logged 500 says so.
        throw new Error(`serveStatic: cannot open the root folder ${this.#base}: ${error}`);
      }
    }
    try {
      const real = await this.#fs.realpath(join(this.#base, path));
      if (this.#followSymlinks || inside(this.#rootReal, real)) return real;
      return undefined;
    } catch (error) {
      return missingOrDenied(error);
    }
  }

  /** Opens the file `stat` checked, at its real path, and proves the handle is still that file. */
  openChecked(path: string, stat: FileStat): Promise<FileHandle> {
    return this.#checked.open(path, stat, this.#io);
  }

  /**
   * Stats a path; `locating` also proves where the file is, for a stat that
   * bodies will be opened by, and notes its folder for {@linkcode unchanged}.
   */
  async describe(path: string, locating: boolean): Promise<FileStat | undefined> {
    const real = await this.resolveReal(path);
    if (real === undefined) return undefined;
    try {
      const now = Date.now();
      const [info, folder] = await Promise.all([
        this.#fs.stat(real),
        locating ? this.#fs.stat(folderOf(join(this.#base, path))).catch(() => undefined) : undefined,
      ]);
      if (info.isDirectory()) return { kind: "directory", size: 0, mtimeMs: info.mtimeMs };
      if (!info.isFile()) return undefined;
      if (!locating) return { kind: "file", size: info.size, mtimeMs: info.mtimeMs };
      let identity: FileIdentity = {
        dev: info.dev,
        ino: info.ino,
        size: info.size,
        mtimeMs: info.mtimeMs,
        ctimeMs: info.ctimeMs,
      };
      if (!this.#followSymlinks) {
        const located = await this.locate(this.#rootReal!, real);
        if (located === undefined) return undefined;
        if (located !== "unproven") identity = located;
      }
      const found: FileStat = { kind: "file", size: identity.size, mtimeMs: identity.mtimeMs };
      return this.#checked.record(found, { real, ...identity, folder: settledFolder(folder, now) });
    } catch (error) {
      return missingOrDenied(error);
    }
  }

  /** True when `path` still leads to the file checked for `stat`, unchanged, its folder too ({@linkcode stillChecked}). */
  async unchanged(path: string, stat: FileStat): Promise<boolean> {
    const checked = this.#checked.known(stat);
    if (checked?.folder === undefined) return false;
    const full = join(this.#base, path);
    try {
      const [file, folder] = await Promise.all([this.#fs.stat(full), this.#fs.stat(folderOf(full))]);
      return file.isFile() && stillChecked(checked, file, folder);
    } catch {
      return false; // gone or unreadable: the full resolution says which
    }
  }

  /** Bytes `start` to `end` of the checked file, streamed from the handle opened for them. */
  async body(path: string, start: number, end: number, stat: FileStat): Promise<BodyInit> {
    const handle = await this.openChecked(path, stat);
    return boundedStream(
      end - start,
      this.#chunkSize,
      async (buffer, sent) => (await handle.read(buffer, 0, buffer.length, start + sent)).bytesRead,
      () => void handle.close().catch(() => {}),
    );
  }

  /** The whole checked file, read through the handle opened for it. */
  async read(path: string, stat: FileStat): Promise<Uint8Array<ArrayBuffer>> {
    const handle = await this.openChecked(path, stat);
    try {
      return await handle.readFile() as Uint8Array<ArrayBuffer>;
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /** A folder's entries, with their sizes: names only are shown, so no descriptor check per entry. */
  async list(path: string): Promise<DirEntry[]> {
    const names = await this.#fs.readdir(join(this.#base, path)).catch(missingOrDenied);
    const entries: DirEntry[] = [];
    for (const name of names ?? []) {
      const info = await this.describe(path === "" ? name : `${path}/${name}`, false).catch(() => undefined);
      if (info) entries.push({ name, ...info });
    }
    return entries;
  }

  /** Opens the file `stat` checked, proves it is still that file, closes it, returns its real path. */
  async verifiedPath(path: string, stat: FileStat): Promise<string> {
    const handle = await this.openChecked(path, stat);
    await handle.close().catch(() => {});
    return (await this.#checked.of(path, stat)).real;
  }
}
