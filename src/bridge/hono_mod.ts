/**
 * `fetchkit/hono`: fetchkit handlers inside a Hono app (`toHono`, which
 * strips Hono's route prefix as a mount would), and the prefix a Hono app
 * mounted in fetchkit builds its links with (`honoBase`).
 *
 * @example A fetchkit mount inside Hono
 * ```ts
 * import { Hono } from "hono";
 * import { mount } from "@fetchkit/core";
 * import { toHono } from "@fetchkit/core/hono";
 * const kit = mount({ "/hello": { app: () => new Response("hi"), trailingSlash: "accept" } });
 * const app = new Hono().use("/kit/*", toHono(kit));
 * await (await app.request("/kit/hello")).text(); // "hi"
 * ```
 *
 * @module
 */
export { honoBase, toHono } from "./hono.ts";
export type { ExecutionContextLike, HonoContextLike, HonoMiddlewareLike } from "./hono.ts";
