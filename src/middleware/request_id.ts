/**
 * Request ids: one id per request, taken from a trustworthy `X-Request-Id`
 * or made here, kept in `context(request).requestId` and sent back on the
 * response, so the access log, the error log and the error pages quote the
 * same id as the client and the proxies in front.
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { isResponse } from "../internal/is_response.ts";
import { editHeaders } from "./edit_headers.ts";

/** Options of {@linkcode requestId}. */
export interface RequestIdOptions {
  /** The request and response header. Default `x-request-id`. */
  header?: string;
  /**
   * Take the client's id when it is well formed (1 to `maxLength` characters
   * of `A-Z a-z 0-9 - _ . : + / = @`); a function decides per request (a
   * proxy you run, for instance). Default true: ids are for correlating, not
   * for security, and a load balancer in front usually sets one.
   */
  trustIncoming?: boolean | ((request: Request) => boolean);
  /** Makes a new id. Default `crypto.randomUUID()`. */
  generate?: () => string;
  /** The longest incoming id taken. Default 200 (as Heroku's router). */
  maxLength?: number;
}

/** What an id may be made of: no spaces, quotes, commas or controls, so it is safe in a log line and a header. */
const ID_CHARACTERS = /^[A-Za-z0-9\-_.:+/=@]+$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One `requestId()`'s settings, checked once. */
interface RequestIdState {
  readonly header: string;
  readonly trust: (request: Request) => boolean;
  readonly generate: () => string;
  readonly maxLength: number;
}

/**
 * Gives every request an id: the incoming `X-Request-Id` when it is
 * trusted and well formed (a forged one with spaces or controls, or one
 * longer than `maxLength`, is replaced), else a new one. The id is
 * `context(request).requestId`, the response's `X-Request-Id` (unless the app
 * set its own), and the id that {@linkcode logger} and {@linkcode errors}
 * write. Put it outside both.
 *
 * @example Ids in the log and on the response
 * ```ts
 * import { compose, context } from "@fetchkit/core";
 * import { errors, logger, requestId } from "@fetchkit/core/middleware";
 * const app = compose(requestId(), logger(), errors())((request) => new Response(context(request).requestId));
 * const response = await app(new Request("http://localhost/", { headers: { "x-request-id": "abc-123" } }));
 * response.headers.get("x-request-id"); // "abc-123"
 * ```
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  const state = requestIdState(options);
  return (next: Handler): Handler => (request) => identified(state, next, request);
}

function requestIdState(options: RequestIdOptions): RequestIdState {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`requestId: options must be an object, got ${describe(options)}`);
  }
  const { header = "x-request-id", trustIncoming = true, generate = randomId, maxLength = 200 } = options;
  if (typeof header !== "string" || !TOKEN.test(header)) {
    throw new TypeError(`requestId: header must be a header name, got ${describe(header)}`);
  }
  if (typeof trustIncoming !== "boolean" && typeof trustIncoming !== "function") {
    throw new TypeError(`requestId: trustIncoming must be a boolean or a function, got ${describe(trustIncoming)}`);
  }
  if (typeof generate !== "function") {
    throw new TypeError(`requestId: generate must be a function () => string, got ${describe(generate)}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 1024) {
    throw new TypeError(`requestId: maxLength must be a whole number from 1 to 1024, got ${describe(maxLength)}`);
  }
  const trust = typeof trustIncoming === "function" ? trustIncoming : () => trustIncoming;
  return { header: header.toLowerCase(), trust, generate, maxLength };
}

function randomId(): string {
  return crypto.randomUUID();
}

/** Whether a header value may serve as an id. */
export function isValidRequestId(value: string, maxLength = 200): boolean {
  return value.length > 0 && value.length <= maxLength && ID_CHARACTERS.test(value);
}

/** The middleware's work for one request. Not an async function: a synchronous answer costs no promise. */
function identified(state: RequestIdState, next: Handler, request: Request): Response | Promise<Response> {
  const id = idOf(state, request);
  context(request).requestId = id;
  const result = next(request);
  if (isResponse(result)) return withId(state.header, result, id);
  return Promise.resolve(result).then((response) =>
    isResponse(response) ? withId(state.header, response, id) : response
  );
}

function idOf(state: RequestIdState, request: Request): string {
  const incoming = request.headers.get(state.header);
  if (incoming !== null && isValidRequestId(incoming, state.maxLength) && state.trust(request)) return incoming;
  const made = state.generate();
  if (typeof made !== "string" || !isValidRequestId(made, 1024)) {
    throw new TypeError(`requestId: generate returned ${describe(made)}, not an id of A-Z a-z 0-9 - _ . : + / = @`);
  }
  return made;
}

function withId(header: string, response: Response, id: string): Response {
  if (response.status === 101 || response.headers.has(header)) return response;
  return editHeaders(response, (headers) => headers.set(header, id));
}
