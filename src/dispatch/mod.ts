/**
 * Dispatch: mount apps by URL prefix, by host, by method or pattern.
 *
 * @module
 */
export { isPass, pass } from "./pass.ts";
