/**
 * Dispatch: mount apps by URL prefix, by host, by method or pattern.
 *
 * @module
 */
export type { FetchApp, Handler, HandlerLike } from "../handler.ts";
export { isPass, pass } from "../pass.ts";
export { mount } from "./mount.ts";
export type { MountOptions, MountTable, TrailingSlash } from "./mount.ts";
export { hosts } from "./hosts.ts";
export type { HostTable } from "./hosts.ts";
export { match } from "./match.ts";
export type { Pattern, URLPatternLike } from "./match.ts";
export { cascade } from "./cascade.ts";
export { byMethod } from "./by_method.ts";
export type { MethodTable } from "./by_method.ts";
