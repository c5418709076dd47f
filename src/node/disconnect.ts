/**
 * The disconnect signal of a Node response, for `context(request).signal`
 * on serve's Node adapter and under `toNode`: it aborts when the connection
 * closes before the response finished (the client went away).
 *
 * @module
 */
import type { ServerResponse } from "node:http";

/** Why the signal aborted: an `AbortError`, as the runtimes' own request signals say it. */
function disconnected(): DOMException {
  return new DOMException("the client disconnected", "AbortError");
}

/** A signal that aborts once `res` closes unfinished; already aborted when it did. */
export function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.closed) {
    if (!res.writableFinished) controller.abort(disconnected());
  } else {
    res.once("close", () => {
      if (!res.writableFinished) controller.abort(disconnected());
    });
  }
  return controller.signal;
}
