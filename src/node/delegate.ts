/**
 * The part of the light Request and Response (light_request.ts,
 * light_globals.ts) that both share: members answered by the real object,
 * built on first use.
 *
 * @module
 */

/** The body methods of both Request and Response. */
export const BODY_METHODS: readonly string[] = ["arrayBuffer", "blob", "bytes", "clone", "formData", "json", "text"];

/**
 * Defines `methods` and `getters` on `prototype` so that each calls or reads
 * the same member of `real(this)`.
 */
export function delegate<T>(
  prototype: object,
  real: (self: T) => object,
  methods: readonly string[],
  getters: readonly string[] = [],
): void {
  for (const name of methods) {
    Object.defineProperty(prototype, name, {
      value(this: T, ...args: unknown[]) {
        return (real(this) as Record<string, (...args: unknown[]) => unknown>)[name](...args);
      },
      configurable: true,
      writable: true,
    });
  }
  for (const name of getters) {
    Object.defineProperty(prototype, name, {
      get(this: T) {
        return (real(this) as Record<string, unknown>)[name];
      },
      configurable: true,
    });
  }
}
