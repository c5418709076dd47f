/**
 * The profiler's WebSocket sessions, apart from its HTTP latencies: a
 * handshake is a request like any other (its 101 is in the route's latency
 * histogram with the time the handler took to return it), while the session
 * that follows lasts seconds or hours and would swamp those latencies. So
 * each session is counted once more, here, when it closes: per route, how
 * many closed, how many are open, their total, mean and longest duration
 * (from the 101 to the close), and how many ended abnormally (1006, the
 * connection broke; 1011, a server error). The Prometheus text gets
 * `websocket_server_session_duration_seconds` and
 * `websocket_server_active_sessions`.
 *
 * @module
 */
import { whenSessionEnds } from "../internal/websocket_sessions.ts";
import type { WebSocketRouteStats, WebSocketSnapshot } from "./profile_types.ts";

/** Upper bounds (seconds) of the session-duration buckets: from a reconnect loop to a working day's tab. */
export const SESSION_BOUNDS: readonly number[] = [0.1, 1, 10, 60, 300, 1800, 3600, 14400];
const SLOTS = SESSION_BOUNDS.length + 1;

/** What is accumulated for one route's sessions. */
class SessionRecord {
  readonly method: string;
  readonly route: string;
  open = 0;
  closed = 0;
  abnormal = 0;
  totalMs = 0;
  maxMs = 0;
  /** A count per duration bucket, then +Inf. */
  readonly buckets = new Float64Array(SLOTS);
  constructor(method: string, route: string) {
    this.method = method;
    this.route = route;
  }

  stats(): WebSocketRouteStats {
    return {
      method: this.method,
      route: this.route,
      count: this.closed,
      open: this.open,
      abnormal: this.abnormal,
      totalMs: this.totalMs,
      meanMs: this.closed === 0 ? 0 : this.totalMs / this.closed,
      maxMs: this.maxMs,
    };
  }
}

/** Per-route WebSocket sessions since construction or the last {@linkcode reset}; open ones stay counted. */
export class WebSocketSessions {
  readonly #routes = new Map<string, SessionRecord>();
  #open = 0;

  /**
   * Counts the session `response` (a 101) started, if it started one, and
   * records it once it closes. The route's record is kept by key, so a reset
   * while it is open leaves the close to a fresh record.
   */
  watch(method: string, route: string, response: Response): void {
    const opened = performance.now();
    const key = method + " " + route;
    this.#recordOf(key, method, route).open++;
    this.#open++;
    const watched = whenSessionEnds(response, (end) => {
      this.#open--;
      const record = this.#recordOf(key, method, route);
      if (record.open > 0) record.open--;
      this.#closed(record, end.at - opened, end.code);
    });
    if (!watched) {
      this.#open--;
      this.#recordOf(key, method, route).open--;
    }
  }

  #recordOf(key: string, method: string, route: string): SessionRecord {
    let record = this.#routes.get(key);
    if (record === undefined) this.#routes.set(key, record = new SessionRecord(method, route));
    return record;
  }

  #closed(record: SessionRecord, ms: number, code: number): void {
    record.closed++;
    record.totalMs += ms;
    if (ms > record.maxMs) record.maxMs = ms;
    if (code === 1006 || code === 1011) record.abnormal++;
    let slot = 0;
    while (slot < SESSION_BOUNDS.length && ms > SESSION_BOUNDS[slot] * 1000) slot++;
    record.buckets[slot]++;
  }

  /** The sessions as the snapshot shows them, the routes with the most total time first. */
  snapshot(): WebSocketSnapshot {
    const routes = [...this.#routes.values()].filter((record) => record.closed > 0 || record.open > 0)
      .map((record) => record.stats())
      .sort((a, b) => b.totalMs - a.totalMs);
    return { open: this.#open, routes };
  }

  /** The Prometheus lines of the sessions: a duration histogram per route that had closes, and the open gauge. */
  prometheus(label: (value: string) => string): string[] {
    const lines = [
      "# HELP websocket_server_session_duration_seconds How long WebSocket sessions lasted, from the 101 to the close.",
      "# TYPE websocket_server_session_duration_seconds histogram",
    ];
    for (const record of this.#routes.values()) {
      if (record.closed === 0) continue;
      const labels = `http_request_method="${label(record.method)}",http_route="${label(record.route)}"`;
      let cumulative = 0;
      for (let slot = 0; slot < SLOTS; slot++) {
        cumulative += record.buckets[slot];
        const le = slot < SESSION_BOUNDS.length ? String(SESSION_BOUNDS[slot]) : "+Inf";
        lines.push(`websocket_server_session_duration_seconds_bucket{${labels},le="${le}"} ${cumulative}`);
      }
      lines.push(`websocket_server_session_duration_seconds_sum{${labels}} ${record.totalMs / 1000}`);
      lines.push(`websocket_server_session_duration_seconds_count{${labels}} ${record.closed}`);
    }
    lines.push(
      "# HELP websocket_server_active_sessions WebSocket sessions open right now.",
      "# TYPE websocket_server_active_sessions gauge",
      `websocket_server_active_sessions ${this.#open}`,
    );
    return lines;
  }

  /** Forgets the closed sessions; the open ones stay counted, in fresh records. */
  reset(): void {
    for (const [key, record] of this.#routes) {
      if (record.open === 0) this.#routes.delete(key);
      else {
        const fresh = new SessionRecord(record.method, record.route);
        fresh.open = record.open;
        this.#routes.set(key, fresh);
      }
    }
  }
}
