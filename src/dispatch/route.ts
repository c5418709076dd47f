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
import { ACTIVE_ROUTE, context, type RequestContext } from "../context.ts";

type Carrier = RequestContext & { [ACTIVE_ROUTE]?: string };

/** The route of the enclosing dispatchers, `""` at the top. */
export function activeRoute(request: Request): string {
  return (context(request) as Carrier)[ACTIVE_ROUTE] ?? "";
}

/** Sets the route the inner dispatchers build on; undo with the previous value. */
export function setActiveRoute(request: Request, route: string): void {
  (context(request) as Carrier)[ACTIVE_ROUTE] = route;
}
