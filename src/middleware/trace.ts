/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the incoming
 * `traceparent` and `tracestate` checked by the version-00 rules, a new span
 * for this server, the result on the context for the logger, the error log
 * and the proxy, which forwards it with this server's span as the parent.
 *
 * @module
 */
import { context, type TraceContext } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";

export type { TraceContext } from "../context.ts";

/** Options of {@linkcode traceContext}. */
export interface TraceContextOptions {
  /**
   * Continue the caller's trace. A function decides per request (only from
   * your own network, say); untrusted callers start a new trace. Default true.
   */
  trustIncoming?: boolean | ((request: Request) => boolean);
  /** Whether a trace started here is marked sampled (`trace-flags` `01`). Default true. */
  sampled?: boolean;
}

/** `version-traceid-parentid-flags`, all lowercase hex; what may follow is checked per version. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
const MAX_TRACESTATE_MEMBERS = 32;
/** A tracestate key: `simple-key` or `tenant@system` (level 1 §3.3.1.3.1). */
const STATE_KEY = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
/** A tracestate value: printable ASCII but `,` and `=`, not ending in a space, at most 256. */
const STATE_VALUE = /^[ -+\--<>-~]{0,255}[!-+\--<>-~]$/;

/** The parts of a valid `traceparent`, or `undefined` for an invalid one. */
export function parseTraceparent(value: string): { traceId: string; parentId: string; flags: string } | undefined {
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, parentId, flags] = match;
  if (version === "ff" || traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  if (version === "00") {
    if (value.length !== 55) return undefined;
    return { traceId, parentId, flags };
  }
  // A later version: its first four fields mean the same; more may follow after a dash. Only the sampled bit is known.
  if (value.length > 55 && value[55] !== "-") return undefined;
  return { traceId, parentId, flags: (parseInt(flags, 16) & 1) === 1 ? "01" : "00" };
}

/** The `tracestate` kept: its members checked (at most 32, each key and value well formed, no key twice), else none. */
export function parseTracestate(value: string | null): string | undefined {
  if (value === null) return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of value.split(",")) {
    const member = raw.trim();
    if (member === "") continue; // empty members are allowed and dropped
    const eq = member.indexOf("=");
    if (eq < 0) return undefined;
    const key = member.slice(0, eq);
    if (!STATE_KEY.test(key) || !STATE_VALUE.test(member.slice(eq + 1)) || keys.has(key)) return undefined;
    keys.add(key);
    members.push(member);
    if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  }
  return members.length === 0 ? undefined : members.join(",");
}

/** `traceparent` for a call made on this request's behalf: this server's span as the parent. */
export function traceparentOf(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/** Random lowercase hex, never all zeros. */
function randomHex(bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  if (random.every((byte) => byte === 0)) random[bytes - 1] = 1;
  let hex = "";
  for (const byte of random) hex += (byte < 16 ? "0" : "") + byte.toString(16);
  return hex;
}

/**
 * Puts the request in a trace: a valid `traceparent` from a trusted caller
 * is continued (its `tracestate` kept when valid, dropped when not), anything
 * else (uppercase hex, all-zero ids, version `ff`, a wrong length) starts a
 * new trace. Either way this server gets a new span id. The result is
 * `context(request).trace`: {@linkcode logger} writes it, {@linkcode errors}
 * logs it, {@linkcode proxy} forwards it with this server's span as the parent.
 *
 * @example Continue a caller's trace
 * ```ts
 * import { context } from "@fetchkit/core";
 * import { traceContext } from "@fetchkit/core/middleware";
 * const app = traceContext()((request) => new Response(context(request).trace?.traceId));
 * const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
 * await (await app(new Request("http://localhost/", { headers: { traceparent } }))).text();
 * // "4bf92f3577b34da6a3ce929d0e0e4736"
 * ```
 */
export function traceContext(options: TraceContextOptions = {}): Middleware {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`traceContext: options must be an object, got ${describe(options)}`);
  }
  const { trustIncoming = true, sampled = true } = options;
  if (typeof trustIncoming !== "boolean" && typeof trustIncoming !== "function") {
    throw new TypeError(`traceContext: trustIncoming must be a boolean or a function, got ${describe(trustIncoming)}`);
  }
  if (typeof sampled !== "boolean") {
    throw new TypeError(`traceContext: sampled must be true or false, got ${describe(sampled)}`);
  }
  const trust = typeof trustIncoming === "function" ? trustIncoming : () => trustIncoming;
  const newFlags = sampled ? "01" : "00";
  return (next: Handler): Handler => (request) => {
    context(request).trace = traceOf(request, trust, newFlags);
    return next(request);
  };
}

function traceOf(request: Request, trust: (request: Request) => boolean, newFlags: string): TraceContext {
  const header = request.headers.get("traceparent");
  const parent = header === null || !trust(request) ? undefined : parseTraceparent(header.trim());
  if (parent === undefined) {
    return { traceId: randomHex(16), spanId: randomHex(8), parentId: undefined, flags: newFlags, state: undefined };
  }
  return {
    traceId: parent.traceId,
    spanId: randomHex(8),
    parentId: parent.parentId,
    flags: parent.flags,
    state: parseTracestate(request.headers.get("tracestate")),
  };
}
