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
}

let fs: Promise<FsPromises> | undefined;
const load = () => fs ??= import("node:fs/promises") as Promise<FsPromises>;

/** Appends text to a file, creating it when missing. */
export async function appendText(path: string, text: string): Promise<void> {
  await (await load()).appendFile(path, text);
}

/** Reads a text file of at most `maxBytes`; `undefined` when missing, too big or unreadable. */
export async function readSource(path: string, maxBytes = 1 << 20): Promise<string | undefined> {
  try {
    const files = await load();
    const file = path.startsWith("file://") ? decodeURIComponent(new URL(path).pathname) : path;
    const info = await files.stat(file);
    if (!info.isFile() || info.size > maxBytes) return undefined;
    return await files.readFile(file, "utf8");
  } catch {
    return undefined;
  }
}
