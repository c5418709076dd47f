/**
 * `buildManifest(dir)`: turns a folder into a {@linkcode StaticManifest} at
 * build time (on Node, Deno or Bun), to be bundled into a Worker.
 *
 * @module
 */
import type { ManifestFile, StaticManifest } from "../manifest.ts";

/** Options of {@linkcode buildManifest}. */
export interface BuildManifestOptions {
  /** Keep a file (path relative to the folder)? Default: everything except dotfiles. */
  include?: (path: string) => boolean;
}

/**
 * Reads every file under `dir` into a manifest for {@linkcode memorySource}:
 * base64 bytes, size, modification time and a SHA-256 based strong ETag.
 * Symlinks are not followed.
 *
 * @example Generating a manifest for esbuild's `--define`
 * ```ts
 * import { buildManifest } from "@fetchkit/core/static/build";
 * const manifest = await buildManifest("./public");
 * const define = { STATIC_MANIFEST: JSON.stringify(manifest) };
 * ```
 */
export async function buildManifest(dir: string, options: BuildManifestOptions = {}): Promise<StaticManifest> {
  if (typeof dir !== "string" || dir === "") throw new TypeError("buildManifest: dir must be a folder path");
  const { readdir, readFile, lstat } = await import("node:fs/promises");
  const include = options.include ?? ((path: string) => !path.split("/").some((s) => s.startsWith(".")));
  const files: Record<string, ManifestFile> = {};
  const walk = async (relative: string) => {
    const entries = await readdir(relative === "" ? dir : `${dir}/${relative}`, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile() && include(path)) {
        const full = `${dir}/${path}`;
        const [data, info] = await Promise.all([readFile(full), lstat(full)]);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
        const etag = Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
        files[path] = { size: data.length, mtimeMs: Math.floor(info.mtimeMs), etag, base64: data.toString("base64") };
      }
    }
  };
  await walk("");
  return { files };
}
