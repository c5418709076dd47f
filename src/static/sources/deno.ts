/**
 * The filesystem on Deno: `Deno.open` and the file's own `readable`, which
 * Deno pipes natively and closes at end or cancel.
 *
 * @module
 */
import { type DirEntry, FileAccessError, type FileSource, type FileStat } from "../source.ts";
import {
  boundedStream,
  changedSinceStat,
  CheckedFiles,
  type FileIdentity,
  type FsSourceOptions,
  inside,
  join,
  missingOrDenied,
  sameFile,
  trimRoot,
} from "./fs_common.ts";
import { descriptorLocator, type Locate } from "./descriptor.ts";

interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtime: Date | null;
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
  return { dev: info.dev, ino: info.ino ?? NaN, size: info.size, mtimeMs: info.mtime?.getTime() ?? NaN };
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
  const base = trimRoot(root);
  const chunkSize = options.chunkSize ?? 256 * 1024;
  let rootReal: string | undefined;
  let locator: Promise<Locate> | undefined;
  /** Stats a path; `locating` also proves where the file is, for a stat that bodies will be opened by. */
  const describe = async (path: string, locating: boolean): Promise<FileStat | undefined> => {
    if (rootReal === undefined) {
      try {
        rootReal = await Deno.realPath(base);
      } catch (error) {
        // A missing root is a configuration error, not a miss: a logged 500 says so.
        throw new Error(`serveStatic: cannot open the root folder ${base}: ${error}`);
      }
    }
    try {
      const real = await Deno.realPath(join(base, path));
      if (!options.followSymlinks && !inside(rootReal, real)) return undefined;
      const info = await Deno.stat(real);
      const mtimeMs = info.mtime?.getTime() ?? NaN;
      if (info.isDirectory) return { kind: "directory", size: 0, mtimeMs };
      if (!info.isFile) return undefined;
      if (!locating) return { kind: "file", size: info.size, mtimeMs };
      let identity = identityOf(info);
      if (!options.followSymlinks) {
        const located = await (await (locator ??= descriptorLocator()))(rootReal, real);
        if (located === undefined) return undefined;
        if (located !== "unproven") identity = located;
      }
      const found: FileStat = { kind: "file", size: identity.size, mtimeMs: identity.mtimeMs };
      return checked.record(found, { real, ...identity });
    } catch (error) {
      return denoError(error);
    }
  };
  const checked = new CheckedFiles((path) => describe(path, true));
  /** Opens the file `stat` checked, at its real path, and proves the handle is still that file. */
  const openChecked = async (path: string, stat: FileStat): Promise<DenoFsFile> => {
    const file = await checked.of(path, stat);
    let opened: DenoFsFile;
    try {
      opened = await Deno.open(file.real, { read: true });
    } catch (error) {
      denoError(error);
      throw new FileAccessError("vanished after stat", 404);
    }
    try {
      const info = await opened.stat();
      if (!info.isFile || !sameFile(file, identityOf(info))) throw changedSinceStat();
      return opened;
    } catch (error) {
      closeQuietly(opened);
      throw error;
    }
  };
  const source: FileSource = {
    stat: (path) => describe(path, true),
    async body(path, start, end, stat) {
      const file = await openChecked(path, stat);
      // The whole file: Deno's own stream, piped natively, closed by Deno.
      if (start === 0 && end === stat.size) return file.readable;
      try {
        if (start > 0) await file.seek(start, 0 /* SeekMode.Start */);
      } catch (error) {
        closeQuietly(file);
        throw error;
      }
      // After the seek, reads are sequential: `sent` is not needed.
      return boundedStream(end - start, chunkSize, (buffer) => file.read(buffer), () => closeQuietly(file));
    },
    async read(path, stat) {
      const file = await openChecked(path, stat);
      try {
        return await readAll(file, stat.size);
      } finally {
        closeQuietly(file);
      }
    },
    async list(path) {
      const entries: DirEntry[] = [];
      try {
        for await (const { name } of Deno.readDir(join(base, path))) {
          // Only names and sizes are shown: no descriptor check per entry.
          const info = await describe(path === "" ? name : `${path}/${name}`, false).catch(() => undefined);
          if (info) entries.push({ name, ...info });
        }
      } catch (error) {
        denoError(error);
      }
      return entries;
    },
  };
  return source;
}
