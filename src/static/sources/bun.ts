/**
 * The filesystem on Bun: `node:fs` for stat and listing, a `Bun.file` slice
 * as the body so Bun sends it with sendfile(2) and owns the descriptor.
 *
 * The body is a `Bun.file` of the file's checked real path, not of the
 * request's name, and only after the source opened that path and found the
 * very file it stat'ed there: a file or folder swapped for a symlink since
 * the stat is refused (404). Bun opens the path again itself when it sends,
 * which leaves the short time between this check and Bun's open. Closing it
 * would take a descriptor body: `Bun.file(fd)` is never closed by Bun, which
 * does not say when the response is done, and a stream body loses its
 * Content-Length on Bun (oven-sh/bun#10507).
 *
 * @module
 */
import type { FileSource } from "../source.ts";
import type { FsSourceOptions } from "./fs_common.ts";
import { nodeFileSystem } from "./node.ts";

type BunFile = Blob;
interface BunGlobal {
  file(path: string): BunFile;
}

/**
 * A {@linkcode FileSource} for Bun.
 *
 * Loaded by `serveStatic(root)` on Bun.
 *
 * @example What serveStatic does with a folder path on Bun
 * ```ts
 * const source = await bunFileSource("./public");
 * ```
 */
export async function bunFileSource(root: string, options: FsSourceOptions = {}): Promise<FileSource> {
  const Bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const { source, verifiedPath } = await nodeFileSystem(root, options);
  return {
    ...source,
    async body(path, start, end, stat) {
      const file = Bun.file(await verifiedPath(path, stat));
      return start === 0 && end === stat.size ? file : file.slice(start, end);
    },
    // Bun adds `Content-Disposition: filename="…"` (no disposition type) to a file body
    // that has none, so HEAD and cached responses would differ from streamed ones:
    // say what browsers do anyway, on every response.
    headers: { "content-disposition": "inline" },
  };
}
