/**
 * Picks the filesystem source of the running runtime, loaded on first use.
 *
 * Why one literal `import()` per runtime rather than a computed specifier:
 * literal specifiers are what `deno publish` can put in the module graph (a
 * JSR consumer on Deno loads them), what `tsc` rewrites from `.ts` to `.js`
 * for the npm build, and what bundlers can follow. A Workers bundle does hold
 * the three adapters, but never runs them (there is no filesystem to pick),
 * and none of them imports a `node:` module statically. (The Workers entry
 * points do not import this module at all: see files_workerd.ts.)
 *
 * @module
 */
import { runtime } from "../../internal/runtime.ts";
import type { FileSource, FileSystemAccess } from "../source.ts";
import type { FsSourceOptions } from "./fs_common.ts";

/** The runtime's filesystem, or `undefined` where there is none (Workers, browsers). */
export function fsRuntime(): "deno" | "bun" | "node" | undefined {
  return runtime === "deno" || runtime === "bun" || runtime === "node" ? runtime : undefined;
}

/** Loads the filesystem source for `root` on the running runtime. */
export async function fileSystemSource(root: string, options: FsSourceOptions): Promise<FileSource> {
  switch (fsRuntime()) {
    case "deno":
      return (await import("./deno.ts")).denoFileSource(root, options);
    case "bun":
      return await (await import("./bun.ts")).bunFileSource(root, options);
    case "node":
      return await (await import("./node.ts")).nodeFileSource(root, options);
    default:
      throw new TypeError("serveStatic: this runtime has no filesystem");
  }
}

/** The file system of Deno, Bun and Node, as `serveStatic` opens directory paths with it. */
export const runtimeFileSystem: FileSystemAccess = {
  available: () => fsRuntime() !== undefined,
  open: (root, options) => fileSystemSource(root, options),
};
