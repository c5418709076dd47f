/**
 * The runtime this code runs on, decided once at load.
 *
 * Why from globals, in this order: workerd is recognised by its user agent
 * before anything else, because with `nodejs_compat` it has a `process` too;
 * Deno and Bun each define their own global, and both also define `process`,
 * so `process.versions.node` alone means Node.
 *
 * @module
 */

/** The runtimes fetchkit tells apart; `"other"` is anything else (a browser). */
export type RuntimeName = "deno" | "bun" | "node" | "workerd" | "other";

function detect(): RuntimeName {
  const global = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string };
  };
  if (global.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  if (global.process?.versions?.node !== undefined) return "node";
  return "other";
}

/** The runtime this code runs on. */
export const runtime: RuntimeName = detect();
