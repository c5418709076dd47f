/**
 * `value instanceof Response`, with the class read once at load.
 *
 * Why not the global each time: on Deno `globalThis.Response` is a lazy
 * getter that runs on every read (13 ns in a loop; in a server the global
 * loads were 7.6 % of a hello through `mount`, profiled), and the hot path
 * asks this three or four times per request. The class kept is the root of
 * the prototype chain, the runtime's own Response: a replacement installed
 * later (fetchkit's light Response on Node, `@hono/node-server`'s) inherits
 * from it, so its instances still pass.
 *
 * @module
 */

function rootClass(constructor: typeof Response): typeof Response {
  let prototype: object = constructor.prototype;
  for (;;) {
    const parent = Object.getPrototypeOf(prototype);
    if (parent === null || parent === Object.prototype) return prototype.constructor as typeof Response;
    prototype = parent;
  }
}

const NativeResponse = rootClass(globalThis.Response);

/** Whether `value` is a Response of this runtime (or of a class built on it). */
export function isResponse(value: unknown): value is Response {
  return value instanceof NativeResponse;
}
