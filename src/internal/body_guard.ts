/**
 * Counting a request body as it streams, written once for the server's global
 * `limits.maxBodySize` (src/serve/guard_body.ts, and the Node adapter's
 * BodyGuard) and the per-route `bodyLimit` middleware: a body is never
 * buffered to be measured, so a client announcing nothing and sending
 * forever is stopped at the limit just like one announcing a large
 * `Content-Length`.
 *
 * @module
 */
import { plainResponse } from "./http.ts";
import { unref } from "./process.ts";

/** Methods whose requests carry no body unless their head declares one. */
const BODILESS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * Whether the head of `request` declares a body: a non-zero Content-Length,
 * a Transfer-Encoding, or neither on a method that usually carries one (so an
 * HTTP/2 body without a length is still guarded). Deno hands a non-null body
 * to every request, so the Request's own `body` cannot tell.
 */
export function declaresBody(request: Request): boolean {
  const headers = request.headers;
  const length = headers.get("content-length");
  if (length !== null) return length !== "0";
  return headers.has("transfer-encoding") || !BODILESS.has(request.method);
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

/** How long a refused body is read and dropped before its 413 goes out, at most (ms). */
const DISCARD_FOR = 1000;

/**
 * The 413 for a declared oversize body, sent once the body was read and
 * dropped (for at most {@linkcode DISCARD_FOR}): a client that sends its body
 * right after the head is still writing when the answer comes, and a
 * connection closed on unread bytes is reset, which took the 413 with it
 * (Bun: the client saw only a reset in over half of the tries).
 */
export async function refuseOversize(request: Request): Promise<Response> {
  const body = request.body;
  if (body === null) return limitResponse(413);
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const enough = new Promise<void>((resolve) => (timer = setTimeout(resolve, DISCARD_FOR)));
  await Promise.race([discard(reader), enough]);
  clearTimeout(timer);
  void reader.cancel().catch(() => {});
  return limitResponse(413);
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done) { /* dropped */ }
  } catch { /* the client left: nothing to wait for */ }
}
