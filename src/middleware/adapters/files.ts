/**
 * File access for the middleware (the profiler's log file, the debug page's
 * source excerpts) through `node:fs`, which Deno, Bun and Node all provide.
 * Loaded by dynamic import, and `node:fs` itself is imported lazily, so a
 * Workers bundle holds no static `node:` import; there the calls reject and
 * callers say the file is unavailable.
 *
 * @module
 */

interface FsPromises {
  appendFile(path: string, data: string): Promise<void>;
  readFile(path: string, encoding: "utf8"): Promise<string>;
  stat(path: string): Promise<{ size: number; isFile(): boolean }>;
  realpath(path: string): Promise<string>;
}

interface Paths {
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
}

let fs: Promise<FsPromises> | undefined;
const load = () => fs ??= import("node:fs/promises") as Promise<FsPromises>;
let paths: Promise<Paths> | undefined;
const loadPaths = () => paths ??= import("node:path") as Promise<Paths>;

/** Appends text to a file, creating it when missing. */
export async function appendText(path: string, text: string): Promise<void> {
  await (await load()).appendFile(path, text);
}

/** Reads a text file of at most `maxBytes`; `undefined` when missing, too big or unreadable. */
async function readSource(path: string, maxBytes = 1 << 20): Promise<string | undefined> {
  try {
    const files = await load();
    const file = filePath(path);
    const info = await files.stat(file);
    if (!info.isFile() || info.size > maxBytes) return undefined;
    return await files.readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

function filePath(path: string): string {
  return path.startsWith("file://") ? decodeURIComponent(new URL(path).pathname) : path;
}

/**
 * Reads a source file for the debug page only when its real path (symbolic
 * links resolved) lies inside the real path of `root` and not in a
 * `node_modules` folder below it; `undefined` otherwise, and as
 * {@linkcode readSource} does. Why: a frame's file name is text, and the page
 * must never become a way to read `/etc/passwd` or a dependency's secrets.
 */
export async function readSourceUnder(path: string, root: string, maxBytes = 1 << 20): Promise<string | undefined> {
  try {
    const [files, { relative, isAbsolute }] = await Promise.all([load(), loadPaths()]);
    const [real, realRoot] = await Promise.all([files.realpath(filePath(path)), files.realpath(root)]);
    const inside = relative(realRoot, real);
    if (inside === "" || /^\.\.([\\/]|$)/.test(inside) || isAbsolute(inside)) return undefined;
    if (inside.split(/[\\/]/).includes("node_modules")) return undefined;
    return await readSource(real, maxBytes);
  } catch {
    return undefined;
  }
}
