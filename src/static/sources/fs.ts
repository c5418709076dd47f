/**
 * Picks the filesystem source of the running runtime, loaded on first use so
 * that bundles for Workers never pull in `node:fs`.
 *
 * @module
 */
import type { FileSource } from "../source.ts";
import type { FsSourceOptions } from "./fs_common.ts";

/** The runtime's filesystem, or `undefined` where there is none (Workers, browsers). */
export function fsRuntime(): "deno" | "bun" | "node" | undefined {
  const global = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string } } };
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return undefined;
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  if (global.process?.versions?.node !== undefined) return "node";
  return undefined;
}

// A non-literal specifier: bundlers leave it alone instead of inlining node:fs.
const load = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

/** Loads the filesystem source for `root` on the running runtime. */
export async function fileSystemSource(root: string, options: FsSourceOptions): Promise<FileSource> {
  const runtime = fsRuntime();
  if (runtime === undefined) throw new TypeError("serveStatic: this runtime has no filesystem");
  const module = await load(new URL(`./${runtime}.ts`, import.meta.url).href);
  const make = module[`${runtime}FileSource`] as (root: string, options: FsSourceOptions) => FileSource;
  return make(root, options);
}
