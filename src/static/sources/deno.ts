/**
 * The filesystem on Deno: `Deno.open` and the file's own `readable`, which
 * Deno pipes natively and closes at end or cancel.
 *
 * @module
 */
import type { DirEntry, FileSource, FileStat } from "../source.ts";
import {
  boundedStream,
  CheckedFiles,
  type FileIdentity,
  type FolderIdentity,
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

interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtime: Date | null;
  ctime: Date | null;
  dev: number;
  ino: number | null;
}
interface DenoFsFile {
  readable: ReadableStream<Uint8Array>;
  read(buffer: Uint8Array): Promise<number | null>;
  seek(offset: number, whence: number): Promise<number>;
  stat(): Promise<DenoFileInfo>;
  close(): void;
}
interface DenoGlobal {
  stat(path: string): Promise<DenoFileInfo>;
  realPath(path: string): Promise<string>;
  open(path: string, options: { read: true }): Promise<DenoFsFile>;
  readDir(path: string): AsyncIterable<{ name: string }>;
  errors: { NotFound: ErrorConstructor; PermissionDenied: ErrorConstructor; NotADirectory?: ErrorConstructor };
}

const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;

function identityOf(info: DenoFileInfo): FileIdentity {
  return {
    dev: info.dev,
    ino: info.ino ?? NaN,
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? NaN,
    ctimeMs: info.ctime?.getTime(),
  };
}

/** A folder's identity; `undefined` when Deno does not know its times (then no quick revalidation). */
function folderIdentityOf(info: DenoFileInfo | undefined): FolderIdentity | undefined {
  if (info === undefined || info.mtime === null || info.ctime === null || info.ino === null) return undefined;
  return { dev: info.dev, ino: info.ino, mtimeMs: info.mtime.getTime(), ctimeMs: info.ctime.getTime() };
}

/** Reads a whole file opened at `size` bytes; a file that grew since is cut there (a stat for it will follow). */
async function readAll(file: DenoFsFile, size: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const count = await file.read(bytes.subarray(filled));
    if (!count) return bytes.subarray(0, filled); // shrank: the caller sees the short length
    filled += count;
  }
  return bytes;
}

function closeQuietly(file: DenoFsFile): void {
  try {
    file.close();
  } catch { /* already closed */ }
}

function denoError(error: unknown): undefined {
  const missing = error instanceof Deno.errors.NotFound ||
    (Deno.errors.NotADirectory !== undefined && error instanceof Deno.errors.NotADirectory);
  return missingOrDenied(error, missing, error instanceof Deno.errors.PermissionDenied);
}

/**
 * A {@linkcode FileSource} for Deno.
 *
 * Loaded by `serveStatic(root)` on Deno.
 *
 * @example What serveStatic does with a folder path on Deno
 * ```ts
 * const source = denoFileSource("./public");
 * ```
 */
export function denoFileSource(root: string, options: FsSourceOptions = {}): FileSource {
  const files = new DenoFiles(root, options);
  return {
    stat: (path) => files.describe(path, true),
    body: (path, start, end, stat) => files.body(path, start, end, stat),
    read: (path, stat) => files.read(path, stat),
    list: (path) => files.list(path),
    unchanged: (path, stat) => files.unchanged(path, stat),
  };
}

/** How Deno opens, identifies and closes a checked file. */
const DENO_IO: OpenIo<DenoFsFile> = {
  open: (real) => Deno.open(real, { read: true }),
  identify: async (file) => {
    const info = await file.stat();
    return info.isFile ? identityOf(info) : undefined;
  },
  close: closeQuietly,
  classify: denoError,
};

/** One root's files: the checked real paths, and the files opened at them. */
class DenoFiles {
  readonly #base: string;
  readonly #followSymlinks: boolean;
  readonly #chunkSize: number;
  readonly #checked = new CheckedFiles((path) => this.describe(path, true));
  #rootReal: string | undefined;
  #locator: Promise<Locate> | undefined;

  constructor(root: string, options: FsSourceOptions) {
    this.#base = trimRoot(root);
    this.#followSymlinks = options.followSymlinks ?? false;
    this.#chunkSize = options.chunkSize ?? 256 * 1024;
  }

  /** The root's real path, resolved once; a missing root is a configuration error, not a miss (a logged 500). */
  async rootReal(): Promise<string> {
    if (this.#rootReal !== undefined) return this.#rootReal;
    try {
      return this.#rootReal = await Deno.realPath(this.#base);
    } catch (error) {
      throw new Error(`serveStatic: cannot open the root folder ${this.#base}: ${error}`);
    }
  }

  /**
   * Stats a path; `locating` also proves where the file is, for a stat that
   * bodies will be opened by, and notes its folder for {@linkcode unchanged}.
   */
  async describe(path: string, locating: boolean): Promise<FileStat | undefined> {
    const rootReal = await this.rootReal();
    try {
      const full = join(this.#base, path);
      const real = await Deno.realPath(full);
      if (!this.#followSymlinks && !inside(rootReal, real)) return undefined;
      const now = Date.now();
      const [info, folder] = await Promise.all([
        Deno.stat(real),
        locating ? Deno.stat(folderOf(full)).catch(() => undefined) : undefined,
      ]);
      const mtimeMs = info.mtime?.getTime() ?? NaN;
      if (info.isDirectory) return { kind: "directory", size: 0, mtimeMs };
      if (!info.isFile) return undefined;
      if (!locating) return { kind: "file", size: info.size, mtimeMs };
      let identity = identityOf(info);
      if (!this.#followSymlinks) {
        const located = await (await (this.#locator ??= descriptorLocator()))(rootReal, real);
        if (located === undefined) return undefined;
        if (located !== "unproven") identity = located;
      }
      const found: FileStat = { kind: "file", size: identity.size, mtimeMs: identity.mtimeMs };
      return this.#checked.record(found, { real, ...identity, folder: settledFolder(folderIdentityOf(folder), now) });
    } catch (error) {
      return denoError(error);
    }
  }

  /** True when `path` still leads to the file checked for `stat`, unchanged, its folder too ({@linkcode stillChecked}). */
  async unchanged(path: string, stat: FileStat): Promise<boolean> {
    const checked = this.#checked.known(stat);
    if (checked?.folder === undefined) return false;
    const full = join(this.#base, path);
    try {
      const [file, folder] = await Promise.all([Deno.stat(full), Deno.stat(folderOf(full))]);
      const folderIdentity = folderIdentityOf(folder);
      return file.isFile && folderIdentity !== undefined && stillChecked(checked, identityOf(file), folderIdentity);
    } catch {
      return false; // gone or unreadable: the full resolution says which
    }
  }

  /** Opens the file `stat` checked, at its real path, and proves the handle is still that file. */
  openChecked(path: string, stat: FileStat): Promise<DenoFsFile> {
    return this.#checked.open(path, stat, DENO_IO);
  }

  /** Bytes `start` to `end`: the whole file as Deno's own stream (piped natively), else a bounded read. */
  async body(path: string, start: number, end: number, stat: FileStat): Promise<BodyInit> {
    const file = await this.openChecked(path, stat);
    if (start === 0 && end === stat.size) return file.readable;
    try {
      if (start > 0) await file.seek(start, 0 /* SeekMode.Start */);
    } catch (error) {
      closeQuietly(file);
      throw error;
    }
    // After the seek, reads are sequential: `sent` is not needed.
    return boundedStream(end - start, this.#chunkSize, (buffer) => file.read(buffer), () => closeQuietly(file));
  }

  /** The whole checked file, read through the file opened for it. */
  async read(path: string, stat: FileStat): Promise<Uint8Array<ArrayBuffer>> {
    const file = await this.openChecked(path, stat);
    try {
      return await readAll(file, stat.size);
    } finally {
      closeQuietly(file);
    }
  }

  /** A folder's entries, with their sizes: names only are shown, so no descriptor check per entry. */
  async list(path: string): Promise<DirEntry[]> {
    const entries: DirEntry[] = [];
    try {
      for await (const { name } of Deno.readDir(join(this.#base, path))) {
        const info = await this.describe(path === "" ? name : `${path}/${name}`, false).catch(() => undefined);
        if (info) entries.push({ name, ...info });
      }
    } catch (error) {
      denoError(error);
    }
    return entries;
  }
}
