/**
 * Request limits, enforced the same way on every runtime: a body is counted as
 * it streams (never buffered to be measured), so a client announcing nothing
 * and sending forever is stopped at the limit just like one that announces a
 * large `Content-Length`.
 *
 * @module
 */
import { describe } from "../internal/describe.ts";
import { plainResponse } from "../internal/http.ts";
import { unref } from "../internal/process.ts";

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
 * Why a request was refused before or while its body was read: 400 for a body
 * the client cut short, 501 for a transfer coding the server does not decode.
 */
export type LimitStatus = 400 | 408 | 413 | 431 | 501;

const reasons: Record<LimitStatus, string> = {
  400: "Bad Request: the request body ended before it was complete",
  408: "Request Timeout: the request was not received in time",
  413: "Content Too Large: the request body exceeds the server's limit",
  431: "Request Header Fields Too Large",
  501: "Not Implemented: the request's transfer coding is not supported",
};

/** The one-line reason a refusal's body gives. */
export function limitReason(status: LimitStatus): string {
  return reasons[status];
}

/** The answer to a request refused by a limit; the connection is closed after it. */
export function limitResponse(status: LimitStatus): Response {
  return plainResponse(status, reasons[status], { connection: "close" });
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

/**
 * A body stream counting bytes as they pass: errors the stream (and records the
 * status) once `maxBodySize` is exceeded or the body is not complete within
 * `deadline` (epoch ms). `state.refused` tells the adapter to answer 413/408.
 */
export class BodyGuard {
  /** Set once a limit refused the body. */
  refused: LimitStatus | undefined = undefined;
  #received = 0;
  #max: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the whole body must have arrived (epoch ms), for {@linkcode BodyGuard.startClock}. */
  #deadline: number | undefined;
  /** Called once when a limit refuses the body (the stream's owner stops reading). */
  onRefuse: ((status: LimitStatus) => void) | undefined = undefined;

  constructor(max: number, deadline?: number) {
    this.#max = max;
    this.#deadline = deadline;
  }

  /**
   * Starts the clock for the deadline given at construction, once: called on
   * the first read, so a body nobody reads costs no timer (a timer would keep
   * the request and its streams alive until it fired).
   */
  startClock(): void {
    const deadline = this.#deadline;
    if (deadline === undefined || this.refused !== undefined) return;
    this.#deadline = undefined;
    const left = deadline - Date.now();
    if (left <= 0) this.refuse(408);
    else this.startTimer(left);
  }

  /** Counts a chunk; false once the limit is exceeded. */
  count(bytes: number): boolean {
    this.#received += bytes;
    if (this.#received > this.#max) {
      this.refuse(413);
      return false;
    }
    return true;
  }

  /** Starts the clock for the rest of the body. */
  startTimer(ms: number): void {
    const timer = setTimeout(() => this.refuse(408), ms);
    unref(timer);
    this.#timer = timer;
  }

  /** The body ended (or was abandoned): stop the clock. */
  done(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Records the refusal once. */
  refuse(status: LimitStatus): void {
    if (this.refused !== undefined) return;
    this.refused = status;
    this.done();
    this.onRefuse?.(status);
  }
}

/** The error a limited body stream fails with. */
export class LimitError extends Error {
  /** The status the request is answered with (400, 408 or 413). */
  readonly status: LimitStatus;
  constructor(status: LimitStatus) {
    super(reasons[status]);
    this.name = "LimitError";
    this.status = status;
  }
}

/**
 * Wraps a runtime's body stream with a {@linkcode BodyGuard}: counts bytes,
 * fails the stream with a {@linkcode LimitError} at the limit or the deadline.
 * `source` may be a function: the runtime's stream is then fetched and locked
 * only on the first read, and the guard's clock starts there too, so an
 * unread body holds nothing once the exchange is over.
 */
export function guardStream(
  source: ReadableStream<Uint8Array> | (() => ReadableStream<Uint8Array>),
  guard: BodyGuard,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let fail: ((error: unknown) => void) | undefined;
  const open = () => reader ??= (typeof source === "function" ? source() : source).getReader();
  if (typeof source !== "function") open();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let failed = false;
      fail = (error) => {
        if (failed) return;
        failed = true;
        controller.error(error);
        void reader?.cancel(error).catch(() => {});
      };
      guard.onRefuse = (status) => fail!(new LimitError(status));
    },
    async pull(controller) {
      guard.startClock();
      if (guard.refused) return fail!(new LimitError(guard.refused));
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await open().read();
      } catch {
        // The runtime failed the body: the client cut it short (closed or
        // half-closed before the declared length, a broken chunked frame).
        // That is the client's fault, answered 400, not the server's 500.
        if (!guard.refused) guard.refuse(400);
        return fail!(new LimitError(guard.refused ?? 400));
      }
      if (guard.refused) return fail!(new LimitError(guard.refused));
      if (result.done) {
        guard.done();
        return controller.close();
      }
      if (!guard.count(result.value.byteLength)) return fail!(new LimitError(413));
      controller.enqueue(result.value);
    },
    cancel(reason) {
      guard.done();
      return reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
