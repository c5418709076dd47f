/**
 * Which 101 started which WebSocket session, so measuring middleware (the
 * logger, the profiler) can account for a socket when it closes rather than
 * when its handler returned. `upgradeWebSocket()` notes each upgrade here;
 * a middleware holding the 101 asks {@linkcode whenSessionEnds}.
 *
 * Keyed by the Response, not the Request or its context: a middleware may
 * copy the Request (and so its context) on the way in, but the 101 comes
 * back out as it was made (most runtimes refuse to build a Response with
 * status 101, so middleware pass it through). Plain requests never get an
 * entry, and pay one status compare for the lookup.
 *
 * @module
 */

/** How a session ended. */
export interface SessionEnd {
  /** `performance.now()` when the socket's 'close' event came. */
  at: number;
  /** The close code (1005 when none was given, 1006 when the connection broke). */
  code: number;
}

/** One session: its end once it came, and who waits for it until then. */
interface Session {
  end: SessionEnd | undefined;
  waiting: ((end: SessionEnd) => void)[];
}

const sessions = new WeakMap<Response, Session>();

/** Notes that `response` (the 101) started `socket`'s session; its close is remembered from now on. */
export function noteSession(response: Response, socket: WebSocket): void {
  const session: Session = { end: undefined, waiting: [] };
  sessions.set(response, session);
  socket.addEventListener("close", (event) => {
    const end = { at: performance.now(), code: event.code };
    session.end = end;
    for (const onEnd of session.waiting.splice(0)) onEnd(end);
  }, { once: true });
}

/**
 * Calls `onEnd` once the session `response` started has closed (at once if
 * it has already) and returns true; returns false for any other response.
 */
export function whenSessionEnds(response: Response, onEnd: (end: SessionEnd) => void): boolean {
  if (response.status !== 101) return false;
  const session = sessions.get(response);
  if (session === undefined) return false;
  if (session.end !== undefined) onEnd(session.end);
  else session.waiting.push(onEnd);
  return true;
}
