/**
 * Responses that were already sent by other means: a Node app run by
 * `fromNode` on fetchkit's own Node server writes straight to the server's
 * `ServerResponse`, and what it hands back up the handler chain is only a
 * record of the head it sent (status and headers, no body). The Node adapter
 * must then write nothing, only wait for the app to finish.
 *
 * @module
 */

// A symbol property, not a WeakMap: an entry per request in a WeakMap showed as
// garbage-collector time (ephemerons are costly to collect).
const COMMITTED = Symbol("fetchkit.committed");
type Marked = Response & { [COMMITTED]?: object };

/** Records that `response` describes what was already written to `outgoing`. */
export function markCommitted(response: Response, outgoing: object): Response {
  (response as Marked)[COMMITTED] = outgoing;
  return response;
}

/** The outgoing message `response` was already written to, if any. */
export function committedTo(response: Response): object | undefined {
  return (response as Marked)[COMMITTED];
}
