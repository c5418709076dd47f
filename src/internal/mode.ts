/**
 * The development/production switch shared by `errors` (debug pages),
 * `profile` (the page's access guard) and `serveStatic` (its 404 page). In
 * the core because features do not import each other.
 *
 * One rule, everywhere: an explicit `mode` option wins; otherwise
 * `FETCHKIT_ENV`, then `NODE_ENV`, decide; `development` (or `dev`) means
 * development and anything else, including nothing at all, means production.
 * Production is the default on purpose: a forgotten variable must never
 * publish stack traces or a profile page.
 *
 * @module
 */
import { env as readEnv } from "./process.ts";
import { describe } from "./describe.ts";

/** Development shows debug pages and opens the profile page; production does neither. */
export type Mode = "development" | "production";

/**
 * Resolves the mode: the option when given (a `TypeError` when it is neither
 * mode), else `FETCHKIT_ENV`, else `NODE_ENV`; production unless one of them
 * says `development` (or `dev`).
 *
 * @example
 * ```ts
 * import { resolveMode } from "./mode.ts";
 * resolveMode("development"); // "development"
 * resolveMode(); // from FETCHKIT_ENV / NODE_ENV, "production" when unset
 * ```
 */
export function resolveMode(mode?: Mode, option = "mode"): Mode {
  if (mode !== undefined) {
    if (mode === "development" || mode === "production") return mode;
    throw new TypeError(`${option} must be "development" or "production", got ${describe(mode)}`);
  }
  const value = (readEnv("FETCHKIT_ENV") || readEnv("NODE_ENV") || "").trim().toLowerCase();
  return value === "development" || value === "dev" ? "development" : "production";
}
