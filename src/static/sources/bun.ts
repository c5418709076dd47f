/**
 * The filesystem on Bun: `node:fs` for stat and listing, a `Bun.file` slice
 * as the body so Bun sends it with sendfile(2) and owns the descriptor.
 *
 * @module
 */
import type { FileSource } from "../source.ts";
import { type FsSourceOptions, join, trimRoot } from "./fs_common.ts";
import { nodeFileSource } from "./node.ts";

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
  const base = trimRoot(root);
  const fs = await nodeFileSource(root, options);
  return {
    ...fs,
    body(path, start, end, stat) {
      const file = Bun.file(join(base, path));
      return start === 0 && end === stat.size ? file : file.slice(start, end);
    },
    // Bun adds `Content-Disposition: filename="…"` (no disposition type) to a file body
    // that has none, so HEAD and cached responses would differ from streamed ones:
    // say what browsers do anyway, on every response.
    headers: { "content-disposition": "inline" },
  };
}
