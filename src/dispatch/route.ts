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
import { ACTIVE_ROUTE, type RequestContext } from "../context.ts";

type Carrier = RequestContext & { [ACTIVE_ROUTE]?: string };

/**
 * The route of the enclosing dispatchers, `""` at the top. Takes the context
 * the dispatcher already holds: looking it up again on the Request for each
 * read and write was four lookups per dispatch.
 */
export function activeRoute(ctx: RequestContext): string {
  return (ctx as Carrier)[ACTIVE_ROUTE] ?? "";
}

/** Sets the route the inner dispatchers build on; undo with the previous value. */
export function setActiveRoute(ctx: RequestContext, route: string): void {
  (ctx as Carrier)[ACTIVE_ROUTE] = route;
}
