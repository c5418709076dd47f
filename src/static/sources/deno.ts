/**
 * The filesystem on Deno: `Deno.open` and the file's own `readable`, which
 * Deno pipes natively and closes at end or cancel.
 *
 * @module
 */
import { type DirEntry, FileAccessError, type FileSource } from "../source.ts";
import { boundedStream, type FsSourceOptions, inside, join, missingOrDenied, trimRoot } from "./fs_common.ts";

interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtime: Date | null;
}
interface DenoFsFile {
  readable: ReadableStream<Uint8Array>;
  read(buffer: Uint8Array): Promise<number | null>;
  seek(offset: number, whence: number): Promise<number>;
  close(): void;
}
interface DenoGlobal {
  stat(path: string): Promise<DenoFileInfo>;
  realPath(path: string): Promise<string>;
  open(path: string, options: { read: true }): Promise<DenoFsFile>;
  readFile(path: string): Promise<Uint8Array>;
  readDir(path: string): AsyncIterable<{ name: string }>;
  errors: { NotFound: ErrorConstructor; PermissionDenied: ErrorConstructor; NotADirectory?: ErrorConstructor };
}

const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;

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
  const source: FileSource = {
    async stat(path) {
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
        if (info.isFile) return { kind: "file", size: info.size, mtimeMs };
        if (info.isDirectory) return { kind: "directory", size: 0, mtimeMs };
        return undefined;
      } catch (error) {
        return denoError(error);
      }
    },
    async body(path, start, end, stat) {
      let file: DenoFsFile;
      try {
        file = await Deno.open(join(base, path), { read: true });
      } catch (error) {
        denoError(error);
        throw new FileAccessError("vanished after stat", 404);
      }
      // The whole file: Deno's own stream, piped natively, closed by Deno.
      if (start === 0 && end === stat.size) return file.readable;
      try {
        if (start > 0) await file.seek(start, 0 /* SeekMode.Start */);
      } catch (error) {
        file.close();
        throw error;
      }
      // After the seek, reads are sequential: `sent` is not needed.
      return boundedStream(end - start, chunkSize, (buffer) => file.read(buffer), () => {
        try {
          file.close();
        } catch { /* already closed */ }
      });
    },
    async read(path) {
      try {
        return await Deno.readFile(join(base, path)) as Uint8Array<ArrayBuffer>;
      } catch (error) {
        denoError(error);
        throw new FileAccessError("vanished after stat", 404);
      }
    },
    async list(path) {
      const entries: DirEntry[] = [];
      try {
        for await (const { name } of Deno.readDir(join(base, path))) {
          const info = await source.stat(path === "" ? name : `${path}/${name}`).catch(() => undefined);
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
