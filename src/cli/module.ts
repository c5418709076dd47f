/**
 * Loading the app module named on the command line and finding its handler:
 * the default export, a handler or an object with `fetch`.
 *
 * @module
 */
import { type Handler, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { cwd, env } from "../internal/process.ts";
import { classify, describeLoadError, recordNodeLoads } from "./load_error.ts";

/** What {@linkcode findHandler} found: a handler, or a one-line reason. */
export type Found = { handler: Handler; error?: undefined } | { handler?: undefined; error: string };

/**
 * Picks the handler of a module namespace: its default export when that is a
 * function or has a `fetch` method. Otherwise a one-line error naming what
 * was found.
 *
 * @example
 * ```ts
 * import { findHandler } from "./module.ts";
 * const found = findHandler({ default: { fetch: () => new Response("ok") } }, "app.ts");
 * found.handler !== undefined; // true
 * ```
 */
export function findHandler(namespace: Record<string, unknown>, name: string): Found {
  const exported = Object.keys(namespace).filter((key) => key !== "default");
  if (!("default" in namespace) || namespace.default === undefined) {
    const others = exported.length ? `found exports [${exported.join(", ")}]` : "it exports nothing";
    return { error: `${name} has no default export (${others}); export default a handler or { fetch }` };
  }
  const value = namespace.default;
  if (typeof value === "function" || (typeof value === "object" && value !== null && "fetch" in value)) {
    if (typeof value === "object" && typeof (value as { fetch: unknown }).fetch !== "function") {
      return {
        error: `${name}: default export's fetch is ${describe((value as { fetch: unknown }).fetch)}, not a function`,
      };
    }
    return { handler: toHandler(value as Handler) };
  }
  return {
    error: `${name}: default export is ${describe(value)}, not a handler (request) => Response or an object with fetch`,
  };
}

/** A path on the command line as a file URL (relative to the working directory). */
export function fileUrl(path: string, base: string = cwd()): URL {
  const url = new URL("file:///");
  url.pathname = path.startsWith("/") ? path : `${base.replace(/\/$/, "")}/${path}`;
  return url;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** Whether an import failed because the module (or one it imports) is not there. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === "ERR_MODULE_NOT_FOUND" || (error as Error)?.name === "NotFound" ||
    /cannot find module|module not found/i.test(firstLine(error));
}

/** The minimum Node.js that imports a `.ts` module without flags (type stripping on by default). */
export const NODE_FOR_TYPESCRIPT = "22.18";

/**
 * The one-line reason an app module could not be imported. "Cannot find"
 * only when the module itself is not there: a module that imports a missing
 * package is there, and is named with the error it raised.
 */
async function importFailure(specifier: string, url: URL, error: unknown): Promise<string> {
  if ((error as { code?: string })?.code === "ERR_UNKNOWN_FILE_EXTENSION") {
    const node = (globalThis as { process?: { version?: string } }).process?.version ?? "an older one";
    return `cannot import ${specifier}: TypeScript modules need Node.js ${NODE_FOR_TYPESCRIPT} or later (this is ${node}), Deno or Bun`;
  }
  if (isNotFound(error) && !(await exists(url))) return `cannot find ${specifier}`;
  return `cannot import ${specifier}: ${describeLoadError(await classify(error), isDevelopment())}`;
}

/** The rule of the `errors` middleware's mode: development only when FETCHKIT_ENV (else NODE_ENV) says so. */
function isDevelopment(): boolean {
  const value = (env("FETCHKIT_ENV") || env("NODE_ENV") || "").trim().toLowerCase();
  return value === "development" || value === "dev";
}

async function exists(url: URL): Promise<boolean> {
  const { stat } = await import("node:fs/promises");
  return stat(url).then(() => true, () => false);
}

/** Imports the module at a command-line path and finds its handler; a failed import is a one-line error. */
export async function importModule(specifier: string): Promise<Found> {
  const url = fileUrl(specifier);
  let namespace: Record<string, unknown>;
  const stopRecording = await recordNodeLoads();
  try {
    namespace = await import(url.href);
  } catch (error) {
    return { error: await importFailure(specifier, url, error) };
  } finally {
    stopRecording();
  }
  return findHandler(namespace, specifier);
}
