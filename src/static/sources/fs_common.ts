/**
 * What the filesystem sources share: options, path checks, error codes and
 * the bounded file stream (no runtime imports).
 *
 * @module
 */
import { FileAccessError, type FileStat } from "../source.ts";

/** Options shared by the filesystem sources. */
export interface FsSourceOptions {
  /** Follow symlinks whose target is outside the root (default false: such links are reported missing). */
  followSymlinks?: boolean;
  /** Bytes per read when streaming (default 256 KiB). */
  chunkSize?: number;
}

/** Error codes that mean "not there" rather than "broken". */
const MISSING_CODES: ReadonlySet<string> = new Set(["ENOENT", "ENOTDIR", "ENAMETOOLONG", "ELOOP", "EINVAL"]);
/** Error codes that mean "may not read": 403. */
const DENIED_CODES: ReadonlySet<string> = new Set(["EACCES", "EPERM"]);

/**
 * Maps a filesystem error by its `code` (or by what the caller already knows
 * from the error's class): `undefined` for "not there", a
 * {@linkcode FileAccessError} (403) for "may not read"; anything else is
 * rethrown, to become a logged 500.
 */
export function missingOrDenied(error: unknown, missing = false, denied = false): undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (missing || (typeof code === "string" && MISSING_CODES.has(code))) return undefined;
  if (denied || (typeof code === "string" && DENIED_CODES.has(code))) throw new FileAccessError(String(error));
  throw error;
}

/** Which file a path named: what a stat of the path or of an open handle reports. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Status change time: moved by every write, rename, link, chmod or `utimes`, and never set by a caller. */
  ctimeMs?: number;
}

/** Which folder a path's parent is, and when its entries last changed. */
export interface FolderIdentity {
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * What a source checked when it stat'ed a file: its real path (symlinks
 * resolved, inside the root) and which file was there. Bodies are opened at
 * `real`, never by the request's name, and the open handle must still be this
 * file: a component swapped for a symlink since the check opens another file,
 * which the handle's own identity gives away.
 */
export interface CheckedFile extends FileIdentity {
  real: string;
  /**
   * The folder of the path as asked, when it had been left alone long
   * enough ({@linkcode SETTLED_MS}) that any later change to its entries
   * shows in its times; `undefined` otherwise (no quick revalidation).
   */
  folder: FolderIdentity | undefined;
}

/**
 * How long a folder's times must have stood still before a check for a
 * later change of its entries to be sure to move them: file systems keep
 * times at the grain of a clock tick (Linux), a second (ext3, HFS+) or two
 * (FAT), and a change within the same grain leaves them equal.
 */
export const SETTLED_MS = 2000;

/** `folder` when it is settled at `now` (see {@linkcode SETTLED_MS}), else `undefined`. */
export function settledFolder(folder: FolderIdentity | undefined, now: number): FolderIdentity | undefined {
  if (folder === undefined) return undefined;
  const settled = folder.mtimeMs < now - SETTLED_MS && folder.ctimeMs < now - SETTLED_MS;
  return settled ? folder : undefined;
}

/** The folder of a joined path (never empty: the folder of `/a` is `/`). */
export function folderOf(full: string): string {
  const slash = full.lastIndexOf("/");
  return slash <= 0 ? "/" : full.slice(0, slash);
}

/**
 * True when a fresh stat of the checked path (`file`, symlinks followed) and
 * of its folder show what the check saw: the very same file (device, inode),
 * unchanged (size, modification and status change times), in the same
 * folder with the same entries. Then everything the check proved still
 * holds: the path leads to the file found inside the root (another file
 * reached through a swapped symlink is another inode; this one moved or
 * linked elsewhere has a new ctime), and every name the resolution found
 * missing in that folder (precompressed siblings, index names, the other
 * Unicode form) is still missing.
 *
 * @example A quick revalidation
 * ```ts
 * import { stillChecked } from "./fs_common.ts";
 * const folder = { dev: 1, ino: 7, mtimeMs: 1, ctimeMs: 1 };
 * const checked = { real: "/srv/a.txt", dev: 1, ino: 42, size: 3, mtimeMs: 5, ctimeMs: 5, folder };
 * stillChecked(checked, { dev: 1, ino: 42, size: 3, mtimeMs: 5, ctimeMs: 5 }, folder); // true
 * ```
 */
export function stillChecked(checked: CheckedFile, file: FileIdentity, folder: FolderIdentity): boolean {
  const known = checked.folder;
  return known !== undefined && checked.ctimeMs !== undefined && file.ctimeMs !== undefined &&
    sameFile(checked, file) && sameTime(file.ctimeMs, checked.ctimeMs) && folder.ino === known.ino &&
    folder.dev === known.dev && sameTime(folder.mtimeMs, known.mtimeMs) && sameTime(folder.ctimeMs, known.ctimeMs);
}

/** Times compared to the millisecond, the precision every runtime reports (NaN never equals). */
function sameTime(a: number, b: number): boolean {
  return Math.floor(a) === Math.floor(b);
}

/**
 * True when an open handle is the file that was checked, unchanged: same
 * device and inode, same size and modification time (compared to the
 * millisecond, the precision every runtime reports).
 *
 * @example After opening a checked file
 * ```ts
 * import { sameFile } from "./fs_common.ts";
 * const checked = { dev: 1, ino: 42, size: 3, mtimeMs: 1_700_000_000_000 };
 * sameFile(checked, { ...checked }); // true: the handle opened is the file checked
 * sameFile(checked, { ...checked, ino: 43 }); // false: swapped since the check
 * ```
 */
export function sameFile(checked: FileIdentity, opened: FileIdentity): boolean {
  return opened.ino === checked.ino && opened.dev === checked.dev && opened.size === checked.size &&
    (Math.floor(opened.mtimeMs) === Math.floor(checked.mtimeMs) ||
      (Number.isNaN(opened.mtimeMs) && Number.isNaN(checked.mtimeMs)));
}

/** The error that makes the handler check a path again (once): the file is not the one stat'ed. */
export function changedSinceStat(): FileAccessError {
  return new FileAccessError("changed since stat", 404);
}

/**
 * What each source checked, per {@linkcode FileStat} object it returned: the
 * handler passes that very object back to `body` and `read`. A stat the
 * source never made (a caller's own object) is checked afresh by `restat`,
 * and must describe the same size and time.
 *
 * @example In a source
 * ```ts
 * import { CheckedFiles } from "./fs_common.ts";
 * const checked = new CheckedFiles(() => Promise.resolve(undefined)); // how the source stats again
 * const identity = { real: "/srv/site/a.txt", dev: 1, ino: 42, size: 3, mtimeMs: 0, folder: undefined };
 * const stat = checked.record({ kind: "file", size: 3, mtimeMs: 0 }, identity);
 * ```
 */
export class CheckedFiles {
  readonly #checked = new WeakMap<FileStat, CheckedFile>();
  readonly #restat: (path: string) => Promise<FileStat | undefined>;

  constructor(restat: (path: string) => Promise<FileStat | undefined>) {
    this.#restat = restat;
  }

  /** Remembers what was checked for `stat` and returns `stat`. */
  record(stat: FileStat, checked: CheckedFile): FileStat {
    this.#checked.set(stat, checked);
    return stat;
  }

  /** What this source checked for `stat`, if it made it. */
  known(stat: FileStat): CheckedFile | undefined {
    return this.#checked.get(stat);
  }

  /** What was checked for `stat` of `path`; throws the 404 of a stale stat when it no longer holds. */
  async of(path: string, stat: FileStat): Promise<CheckedFile> {
    const known = this.#checked.get(stat);
    if (known !== undefined) return known;
    const fresh = await this.#restat(path);
    const checked = fresh === undefined ? undefined : this.#checked.get(fresh);
    if (checked === undefined || !sameFile(checked, { ...checked, size: stat.size, mtimeMs: stat.mtimeMs })) {
      throw changedSinceStat();
    }
    return checked;
  }

  /**
   * Opens the file `stat` checked, at its real path, and proves the handle is
   * still that file (a regular file with the checked identity); closes it and
   * throws a 404 {@linkcode FileAccessError} otherwise. `io` is the runtime's
   * way to open, identify (`undefined`: not a regular file) and close.
   */
  async open<Handle>(path: string, stat: FileStat, io: OpenIo<Handle>): Promise<Handle> {
    const file = await this.of(path, stat);
    let handle: Handle;
    try {
      handle = await io.open(file.real);
    } catch (error) {
      (io.classify ?? missingOrDenied)(error);
      throw new FileAccessError("vanished after stat", 404);
    }
    try {
      const opened = await io.identify(handle);
      if (opened === undefined || !sameFile(file, opened)) throw changedSinceStat();
      return handle;
    } catch (error) {
      await io.close(handle);
      throw error;
    }
  }
}

/** How a runtime opens, identifies and closes a file, for {@linkcode CheckedFiles.open}. */
export interface OpenIo<Handle> {
  open(real: string): Promise<Handle>;
  /** The opened file's identity; `undefined` when it is not a regular file. */
  identify(handle: Handle): Promise<FileIdentity | undefined>;
  /** Closes without throwing. */
  close(handle: Handle): void | Promise<void>;
  /** Maps a failed open as {@linkcode missingOrDenied} does (default: by Node's error codes). */
  classify?(error: unknown): undefined;
}

/** Joins a checked relative path to the root (which has no trailing slash). */
export function join(root: string, path: string): string {
  return path === "" ? root : root === "/" ? `/${path}` : `${root}/${path}`;
}

/** True when `real` is the root itself or inside it. */
export function inside(rootReal: string, real: string): boolean {
  if (rootReal === "/") return true;
  return real === rootReal || (real.startsWith(rootReal) && real.charCodeAt(rootReal.length) === 0x2f);
}

/** Root without trailing slashes ("/" stays "/"). */
export function trimRoot(root: string): string {
  const trimmed = root.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/**
 * Streams `length` bytes, one bounded read per pull (so the consumer's pace
 * sets the reading pace), calling `close` exactly once: at the end, on cancel
 * (client gone) and on error. `read(buffer, sent)` fills the start of
 * `buffer` with the bytes following the first `sent` ones and resolves to how
 * many it wrote (0 or `null` at end of file).
 */
export function boundedStream(
  length: number,
  chunkSize: number,
  read: (buffer: Uint8Array, sent: number) => Promise<number | null>,
  close: () => void,
): ReadableStream<Uint8Array> {
  let sent = 0;
  let closed = false;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const want = Math.min(chunkSize, length - sent);
        if (want <= 0) {
          closeOnce();
          controller.close();
          return;
        }
        const buffer = new Uint8Array(want);
        const count = await read(buffer, sent);
        if (closed) return; // cancelled while reading
        if (!count) throw new Error("file shrank while being sent");
        sent += count;
        controller.enqueue(count === want ? buffer : buffer.subarray(0, count));
        if (sent >= length) {
          closeOnce();
          controller.close();
        }
      } catch (error) {
        closeOnce();
        controller.error(error);
      }
    },
    cancel() {
      closeOnce();
    },
  }, { highWaterMark: 1 });
}
