/**
 * Serving: one `serve()` for Deno, Bun and Node, the `defineApp()` export
 * shape that Workers, `deno serve` and `bun run` serve themselves, and the
 * pieces of the `serve.ts` command.
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
export { findHandler } from "./find_handler.ts";
export type { Found } from "./find_handler.ts";
export { parseServeArgs, USAGE, UsageError } from "./cli_args.ts";
export type { CliOptions } from "./cli_args.ts";
