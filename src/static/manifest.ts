/**
 * The in-memory manifest: a folder turned into data at build time, for
 * Workers and anywhere else without a filesystem.
 *
 * @module
 */
import type { DirEntry, FileSource, FileStat } from "./source.ts";

/** One file of a {@linkcode StaticManifest}. */
export interface ManifestFile {
  /** Size in bytes. */
  size: number;
  /** Modification time (ms since the epoch) when the manifest was built. */
  mtimeMs: number;
  /** Strong validator: a content hash, unquoted. */
  etag: string;
  /** The bytes, base64. */
  base64: string;
}

/** Files by path relative to the root (`css/site.css`), as made by `buildManifest`. */
export interface StaticManifest {
  /** Path relative to the root (segments joined by `/`) to file. */
  files: Record<string, ManifestFile>;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A {@linkcode FileSource} over a manifest held in memory. Bytes are decoded
 * from base64 on first use and kept; directories are implied by the paths.
 *
 * @example A Worker serving files bundled at build time
 * ```ts
 * import { serveStatic } from "@fetchkit/core";
 * import { memorySource, type StaticManifest } from "@fetchkit/core/static";
 * // e.g. esbuild --define:STATIC_MANIFEST="$(node -e '…buildManifest("public")…')"
 * const manifest: StaticManifest = { files: { "hello.txt": { size: 3, mtimeMs: 0, etag: "h1", base64: "aGkK" } } };
 * const worker = { fetch: serveStatic(memorySource(manifest)) }; // the module's export default
 * await (await worker.fetch(new Request("http://localhost/hello.txt"))).text(); // "hi\n"
 * ```
 */
export function memorySource(manifest: StaticManifest): FileSource {
  if (typeof manifest !== "object" || manifest === null || typeof manifest.files !== "object") {
    throw new TypeError("memorySource: manifest must be an object with a files record (see buildManifest)");
  }
  const files = new Map(Object.entries(manifest.files));
  const bytes = new Map<string, Uint8Array<ArrayBuffer>>();
  const directories = new Map<string, Set<string>>([["", new Set()]]);
  for (const path of files.keys()) {
    const parts = path.split("/");
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!directories.has(dir)) directories.set(dir, new Set());
      directories.get(dir)!.add(parts[i]);
    }
  }
  const load = (path: string): Uint8Array<ArrayBuffer> => {
    let data = bytes.get(path);
    if (data === undefined) {
      data = decodeBase64(files.get(path)!.base64);
      bytes.set(path, data);
    }
    return data;
  };
  const stat = (path: string): FileStat | undefined => {
    const file = files.get(path);
    if (file !== undefined) return { kind: "file", size: file.size, mtimeMs: file.mtimeMs, etag: file.etag };
    if (directories.has(path)) return { kind: "directory", size: 0, mtimeMs: NaN };
    return undefined;
  };
  return {
    stat: (path) => Promise.resolve(stat(path)),
    body: (path, start, end) => load(path).subarray(start, end),
    read: (path) => Promise.resolve(load(path)),
    list(path) {
      const entries: DirEntry[] = [];
      for (const name of directories.get(path) ?? []) {
        const found = stat(path === "" ? name : `${path}/${name}`);
        if (found) entries.push({ name, ...found });
      }
      return Promise.resolve(entries);
    },
  };
}
