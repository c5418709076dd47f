/**
 * The development/production switch, as the middleware name it; it lives in
 * the core (src/internal/mode.ts), where `serveStatic` reads it too.
 *
 * @module
 */
export { type Mode, resolveMode } from "../internal/mode.ts";
