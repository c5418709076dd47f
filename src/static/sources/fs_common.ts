/**
 * Path helpers shared by the filesystem sources (no runtime imports).
 *
 * @module
 */

/** Options shared by the filesystem sources. */
export interface FsSourceOptions {
  /** Follow symlinks whose target is outside the root (default false: such links are reported missing). */
  followSymlinks?: boolean;
  /** Bytes per read when streaming (default 256 KiB). */
  chunkSize?: number;
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
