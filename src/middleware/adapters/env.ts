/**
 * Environment variables, read the way each runtime offers them.
 *
 * @module
 */

/**
 * Reads an environment variable on any runtime: `Deno.env` (which throws
 * without `--allow-env`), `process.env` on Node and Bun (and workerd with
 * `nodejs_compat`); `undefined` where there is no environment.
 *
 * @example
 * ```ts
 * import { readEnv } from "./env.ts";
 * const home = readEnv("HOME"); // a string, or undefined
 * ```
 */
export function readEnv(name: string): string | undefined {
  const global = globalThis as {
    Deno?: { env: { get(name: string): string | undefined } };
    process?: { env?: Record<string, string | undefined> };
  };
  try {
    return global.Deno ? global.Deno.env.get(name) : global.process?.env?.[name];
  } catch {
    return undefined; // Deno without --allow-env
  }
}
