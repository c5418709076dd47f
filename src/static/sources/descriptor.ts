/**
 * Where a checked file really is, asked of an open descriptor rather than of
 * its path (used by the Node, Bun and Deno sources).
 *
 * Why: `realpath` and a later `stat` resolve the path twice, and a folder on
 * it swapped for a symlink in between makes the stat describe a file outside
 * the root, which the source would then trust. Linux names the file behind a
 * descriptor in `/proc/self/fd`, so a file opened at its real path (the last
 * component with `O_NOFOLLOW`) is proven inside or outside the root; its
 * identity then binds every later open to that very file. `node:fs` gives
 * real descriptors on all three runtimes (Deno's own files do not expose
 * theirs). Where `/proc/self/fd` cannot be read (not Linux; Deno without
 * read permission for it) the source falls back to its path-based stat.
 *
 * Imported dynamically for the reason given in node.ts.
 *
 * @module
 */
import { type FileIdentity, inside, missingOrDenied } from "./fs_common.ts";

/**
 * The file at a checked real path: its identity when its descriptor is
 * inside the root, `undefined` when it is not there or not inside (or the
 * last component is now a symlink), `"unproven"` when this system cannot say
 * or the file may not be opened (the later open reports that).
 */
export type Located = FileIdentity | undefined | "unproven";

/** Opens, locates and closes: one `open`, `readlink`, `fstat` and `close` per check. */
export type Locate = (rootReal: string, real: string) => Promise<Located>;

/**
 * Loads `node:fs` and returns the check.
 *
 * @example Is this real path still inside the root?
 * ```ts
 * const locate = await descriptorLocator();
 * const found = await locate("/srv/public", "/srv/public/app.js"); // identity, undefined or "unproven"
 * ```
 */
export async function descriptorLocator(): Promise<Locate> {
  const { open, readlink } = await import("node:fs/promises");
  const { constants } = await import("node:fs");
  // O_NONBLOCK: a FIFO swapped in must not hang the open.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let procReadable = true;
  return async (rootReal, real) => {
    if (!procReadable) return "unproven";
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(real, flags);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === "EACCES" || code === "EPERM") return "unproven";
      return missingOrDenied(error);
    }
    try {
      let where: string;
      try {
        where = await readlink(`/proc/self/fd/${handle.fd}`);
      } catch {
        procReadable = false; // no /proc (macOS, BSD) or no permission for it (Deno)
        return "unproven";
      }
      if (!inside(rootReal, where)) return undefined;
      const info = await handle.stat();
      if (!info.isFile()) return undefined;
      return { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
    } finally {
      await handle.close().catch(() => {});
    }
  };
}
