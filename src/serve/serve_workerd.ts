/**
 * `serve()` as the Workers root entry has it: workerd calls a module's
 * `fetch` itself, so there is no server to start, and this module reaches no
 * server code (a Worker's bundle stays free of `node:` imports).
 *
 * @module
 */
import type { HandlerLike } from "../handler.ts";
import type { ServeOptions, Server } from "./types.ts";

/**
 * On Workers: rejects with a `TypeError` that says what to do instead.
 *
 * @example What a Worker exports instead of calling serve()
 * ```ts
 * import { defineApp, mount } from "@fetchkit/core";
 * export default defineApp(mount({ "/": () => new Response("hello") }));
 * ```
 */
export function serve(_app: HandlerLike, _options?: ServeOptions): Promise<Server> {
  return Promise.reject(
    new TypeError("serve: a Worker starts no server; export default defineApp(app) and workerd serves it"),
  );
}
