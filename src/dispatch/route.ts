/**
 * The declared route of the dispatchers running for a request, kept apart
 * from `context(request).route`.
 *
 * Why two: `context(request).route` must still name the route that answered
 * after the response is back (a profiler wrapping the whole app reads it
 * then), so a successful dispatch leaves it set. A nested dispatcher must not
 * build on such a leftover, or a Request dispatched twice (a retry, a bench
 * reusing its Requests) would get `/api/api`. So dispatchers build on this
 * one instead, which is always undone when the inner call returns.
 *
 * @module
 */

// A symbol property on the Request, not a WeakMap: a WeakMap entry per request
// costs a measurable share of a hello world (see src/context.ts).
const ACTIVE: unique symbol = Symbol("fetchkit.activeRoute") as never;
type Carrier = Request & { [ACTIVE]?: string };

/** The route of the enclosing dispatchers, `""` at the top. */
export function activeRoute(request: Request): string {
  return (request as Carrier)[ACTIVE] ?? "";
}

/** Sets the route the inner dispatchers build on; undo with the previous value. */
export function setActiveRoute(request: Request, route: string): void {
  (request as Carrier)[ACTIVE] = route;
}
