/**
 * Request limits, enforced the same way on every runtime: a body is counted as
 * it streams (never buffered to be measured), so a client announcing nothing
 * and sending forever is stopped at the limit just like one that announces a
 * large `Content-Length`.
 *
 * @module
 */
import { describe } from "../internal/describe.ts";
export {
  BodyGuard,
  guardStream,
  LimitError,
  limitReason,
  limitResponse,
  type LimitStatus,
} from "../internal/body_guard.ts";

/** Request limits of {@linkcode serve}. */
export interface Limits {
  /** Largest request body in bytes; more is answered 413. Default 16 MiB. */
  maxBodySize: number;
  /** Largest request head (request line and headers) in bytes; more is answered 431. Default 16 KiB. */
  maxHeaderSize: number;
  /**
   * Milliseconds to receive a whole request (head and body); slower is answered 408 and the connection closed.
   * Default 30 000. The head part is Node's own; Bun cuts a slow head after its own ~10 s, Deno not at all, and
   * Deno keeps the connection open after the 408 (README, "Limits").
   */
  requestTimeout: number;
  /**
   * Milliseconds a keep-alive connection may sit idle between requests; a handler working longer is never cut.
   * Default 10 000. Bun counts whole seconds, checked every 4 s; Deno has no idle timeout.
   */
  idleTimeout: number;
  /** Largest WebSocket message in bytes; a larger one closes the socket with 1009 (Message Too Big). Default 16 MiB. */
  maxMessageSize: number;
}

/** The defaults of {@linkcode Limits}. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxBodySize: 16 * 1024 * 1024,
  maxHeaderSize: 16 * 1024,
  requestTimeout: 30_000,
  idleTimeout: 10_000,
  maxMessageSize: 16 * 1024 * 1024,
});

/** Validates and completes limits; a bad value is a TypeError naming it. */
export function resolveLimits(given: Partial<Limits> | undefined): Limits {
  if (given === undefined) return { ...defaultLimits };
  if (given === null || typeof given !== "object") {
    throw new TypeError(`serve: limits must be an object, got ${describe(given)}`);
  }
  const limits = { ...defaultLimits };
  for (const [name, value] of Object.entries(given)) {
    if (!(name in defaultLimits)) {
      throw new TypeError(`serve: unknown limit "${name}" (known: ${Object.keys(defaultLimits).join(", ")})`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
      throw new TypeError(`serve: limits.${name} must be a positive number, got ${describe(value)}`);
    }
    limits[name as keyof Limits] = value;
  }
  return limits;
}

/**
 * The size of a request's head as the client sent it, near enough: method,
 * target, and each header line. Used where the runtime does not enforce a
 * header limit of its own.
 */
export function headSize(request: Request): number {
  let size = request.method.length + request.url.length + 12;
  for (const [name, value] of request.headers) size += name.length + value.length + 4;
  return size;
}
