/**
 * Serving: one `serve()` for Deno, Bun and Node, and the `defineApp()` export
 * shape that Workers, `deno serve` and `bun run` serve themselves.
 *
 * @module
 */
export type { FetchApp, Handler, HandlerLike } from "../handler.ts";
export { serve } from "./serve.ts";
export type { ServeOptions, Server } from "./types.ts";
export { defineApp } from "./app.ts";
export type { ServableApp } from "./app.ts";
export { defaultLimits } from "./limits.ts";
export type { Limits } from "./limits.ts";
