/**
 * Error pages (after mod_python's `PythonDebug`): a failing handler becomes a
 * 500 whose page depends on the mode: in development a debug page with the
 * stack, source lines and the request; in production a plain page with a
 * request id, and the full stack in the error log under the same id.
 *
 * @module
 */
import { context } from "../context.ts";
import { isPass } from "../pass.ts";
import type { Handler, Middleware } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { runtime } from "../internal/runtime.ts";
import { type DebugPageSettings, describeError, renderDebugPage, renderProductionPage } from "./errors_page.ts";
import { type Mode, resolveMode } from "./mode.ts";
import { isResponse } from "../internal/is_response.ts";
import { cwd } from "../internal/process.ts";
import { queryRedactor } from "./redact.ts";
import { textResponse } from "../internal/body_length.ts";

/** What a custom 500 handler receives. */
export interface Failure {
  /** The thrown value (a `TypeError` for a non-Response return). */
  error: unknown;
  /** The id under which the stack was logged. */
  id: string;
  /** The mode the middleware runs in. */
  mode: Mode;
}

/** Options of {@linkcode errors}. */
export interface ErrorsOptions {
  /** Debug pages in development, plain pages in production. Default: see {@linkcode resolveMode}. */
  mode?: Mode;
  /** Answers 404s that carry no page of their own (a `pass()`, or a 404 without a body). */
  notFound?: Handler;
  /** Builds the 500 response instead of the built-in pages. */
  serverError?: (request: Request, failure: Failure) => Response | Promise<Response>;
  /** The error log. Default `console.error`. */
  log?: (message: string) => void;
  /**
   * Watch response bodies, so an error while streaming (after the headers went
   * out) is logged with an id and the request line before the connection is
   * closed. Default: in development only.
   *
   * Why not always: watching re-streams every body through JavaScript, which
   * costs the runtimes their fast paths (Bun's sendfile for a file body, a
   * `Content-Length` instead of chunked encoding for a string on Deno), and a
   * body cannot be told apart (a stream the app made, or bytes) without doing
   * that. Unwatched, a failing stream still closes the connection and the
   * runtime reports the error, without the id.
   */
  watchBodies?: boolean;
  /**
   * The application's own directory (a path or a `file:` URL): the debug page
   * shows source lines only for stack frames in files whose real path lies
   * inside it, never under `node_modules`. Default: the working directory
   * when `errors()` is called.
   */
  sourceRoot?: string | URL;
  /**
   * Query keys whose values the error log and the debug page show as
   * `REDACTED`. Default {@linkcode SENSITIVE_QUERY_KEYS}.
   */
  redactQuery?: readonly string[];
}

/**
 * The request's id to quote in a bug report and grep in the log: the one
 * `requestId()` gave it, else a short random one, kept on the context so the
 * access log writes the same.
 */
function idOf(request: Request): string {
  const ctx = context(request);
  return ctx.requestId ??= crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** Headers of every page drawn here: never cached, never sniffed into something else than they say. */
const PAGE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

/** The source root as a file system path; `undefined` when there is none to read (no working directory). */
function sourceRootOf(value: unknown): string | undefined {
  if (value === undefined) return workingDirectory();
  // A path, not a URL of another scheme (a drive letter is one character).
  if (typeof value === "string" && value !== "" && !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value)) {
    if (/^([A-Za-z]:)?[\\/]/.test(value)) return value;
    const base = workingDirectory();
    return base === undefined ? undefined : `${base.replace(/[\\/]$/, "")}/${value}`;
  }
  const url = value instanceof URL ? value : typeof value === "string" ? tryUrl(value) : undefined;
  if (url?.protocol === "file:") return decodeURIComponent(url.pathname);
  throw new TypeError(`errors: sourceRoot must be a directory path or a file: URL, got ${describe(value)}`);
}

function workingDirectory(): string | undefined {
  try {
    return cwd();
  } catch {
    return undefined; // Workers, or Deno without --allow-read: the page shows no source
  }
}

function tryUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function wantsHtml(request: Request): boolean {
  return request.headers.get("accept")?.includes("text/html") ?? false;
}

/**
 * Catches what a handler throws or rejects with (or a non-Response it returns)
 * and answers 500; replaces bodiless 404s with `notFound`. An error raised
 * while a body streams closes the connection (never a second response), and
 * with `watchBodies` (on in development) is logged with an id.
 *
 * @example Debug pages while developing, plain pages in production
 * ```ts
 * import { errors } from "@fetchkit/core/middleware";
 * const app = errors({ mode: "production", log: () => {} })(() => {
 *   throw new Error("database is down");
 * });
 * const response = await app(new Request("http://localhost/"));
 * response.status; // 500, and the page shows only a request id
 * ```
 */
export function errors(options: ErrorsOptions = {}): Middleware {
  const state = errorsState(options);
  return (next: Handler): Handler => (request) => guarded(state, next, request);
}

/** One `errors()`'s settings, resolved and checked once; the debug page's settings among them. */
interface ErrorsState extends DebugPageSettings {
  readonly mode: Mode;
  readonly notFound: Handler | undefined;
  readonly serverError: ErrorsOptions["serverError"];
  readonly log: (message: string) => void;
  readonly watchBodies: boolean;
}

function errorsState(options: ErrorsOptions): ErrorsState {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`errors: options must be an object, got ${describe(options)}`);
  }
  for (const name of ["notFound", "serverError", "log"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`errors: ${name} must be a function, got ${describe(options[name])}`);
    }
  }
  const mode = resolveMode(options.mode, "errors: mode");
  if (options.watchBodies !== undefined && typeof options.watchBodies !== "boolean") {
    throw new TypeError(`errors: watchBodies must be true or false, got ${describe(options.watchBodies)}`);
  }
  return {
    mode,
    notFound: options.notFound,
    serverError: options.serverError,
    log: options.log ?? ((message: string) => console.error(message)),
    watchBodies: options.watchBodies ?? mode === "development",
    sourceRoot: sourceRootOf(options.sourceRoot),
    redact: queryRedactor(options.redactQuery, "errors"),
  };
}

/** The middleware's work for one request: the app's answer, a 500 for what went wrong, `notFound` for a bare 404. */
async function guarded(state: ErrorsState, next: Handler, request: Request): Promise<Response> {
  let response: Response;
  try {
    response = await next(request);
  } catch (error) {
    return fail(state, request, error);
  }
  if (!isResponse(response)) {
    // Bun's server.upgrade() answers by returning nothing: that is not a failure.
    if (isBunUpgrade(request, response)) return response as unknown as Response;
    return fail(state, request, new TypeError(`handler returned ${describe(response)}, not a Response`));
  }
  if (state.notFound && response.status === 404 && (response.body === null || isPass(response))) {
    return answerNotFound(state, state.notFound, request, response);
  }
  return state.watchBodies ? watch(state, request, response) : response;
}

function isBunUpgrade(request: Request, result: unknown): boolean {
  return runtime === "bun" && result === undefined && request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** `notFound`'s answer instead of the app's bare 404, whose body is released. */
async function answerNotFound(
  state: ErrorsState,
  notFound: Handler,
  request: Request,
  response: Response,
): Promise<Response> {
  try {
    const custom = await notFound(request);
    if (isResponse(custom)) {
      await response.body?.cancel();
      return custom;
    }
    return fail(state, request, new TypeError(`errors: notFound returned ${describe(custom)}, not a Response`));
  } catch (error) {
    return fail(state, request, error);
  }
}

/** The request as the log shows it: method and full URL, sensitive query values redacted, and its trace. */
function label(state: ErrorsState, request: Request): string {
  const ctx = context(request);
  const trace = ctx.trace === undefined ? "" : ` trace_id=${ctx.trace.traceId} span_id=${ctx.trace.spanId}`;
  return `${request.method} ${state.redact(ctx.originalUrl)}${trace}`;
}

/** Logs the error under a new id and answers 500: `serverError`'s page, or the built-in one. */
async function fail(state: ErrorsState, request: Request, error: unknown): Promise<Response> {
  const id = idOf(request);
  state.log(`[${id}] ${label(state, request)}\n${describeError(error)}`);
  const custom = state.serverError && await customServerError(state, state.serverError, request, error, id);
  return custom ?? builtInServerError(state, request, error, id);
}

/** `serverError`'s Response; `undefined` (and a log line) when it threw or returned something else. */
async function customServerError(
  state: ErrorsState,
  serverError: NonNullable<ErrorsOptions["serverError"]>,
  request: Request,
  error: unknown,
  id: string,
): Promise<Response | undefined> {
  try {
    const custom = await serverError(request, { error, id, mode: state.mode });
    if (isResponse(custom)) return custom;
    state.log(`[${id}] errors: serverError returned ${describe(custom)}, not a Response`);
  } catch (handlerError) {
    state.log(`[${id}] errors: serverError threw\n${describeError(handlerError)}`);
  }
  return undefined;
}

/** The 500 by mode and by what the client accepts: a debug or a plain page, as HTML or text. */
async function builtInServerError(state: ErrorsState, request: Request, error: unknown, id: string): Promise<Response> {
  const headers = { "x-request-id": id, ...PAGE_HEADERS };
  const html = { status: 500, headers: { ...headers, "content-type": "text/html; charset=utf-8" } };
  const text = { status: 500, headers: { ...headers, "content-type": "text/plain; charset=utf-8" } };
  if (state.mode === "development") {
    if (wantsHtml(request)) {
      return textResponse(await renderDebugPage(request, error, id, state), html);
    }
    return textResponse(`Internal Server Error (request id ${id})\n\n${describeError(error)}\n`, text);
  }
  if (wantsHtml(request)) return textResponse(renderProductionPage(id, `${context(request).base}/`), html);
  return textResponse(`Internal Server Error (request id ${id})\n`, text);
}

/** Re-streams the body, logging a failure mid-stream and erroring the stream so the runtime drops the connection. */
function watch(state: ErrorsState, request: Request, response: Response): Response {
  const body = response.body;
  if (body === null || response.status === 101) return response;
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        const id = idOf(request);
        state.log(
          `[${id}] ${
            label(state, request)
          }: error while streaming the body, headers already sent; closing the connection\n${describeError(error)}`,
        );
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(stream, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
