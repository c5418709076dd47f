/**
 * Serving: one `serve()` for Deno, Bun and Node.
 *
 * @module
 */
export { serve } from "./serve.ts";
export type { ServeOptions, Server } from "./types.ts";
