/**
 * The shapes shared by `serve()` and its per-runtime adapters.
 *
 * @module
 */
import type { Handler } from "../handler.ts";
import type { Limits } from "./limits.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** TCP port; `0` picks a free one. Default: `PORT` from the environment, else 8000. */
  port?: number;
  /** Interface to bind. Default: `HOST` from the environment, else `127.0.0.1`. */
  hostname?: string;
  /** Called once the server listens, with every bound address as a URL. Default: prints them. */
  onListen?: (addresses: URL[]) => void;
  /** Aborting this signal shuts the server down gracefully. */
  signal?: AbortSignal;
  /**
   * Stop gracefully on SIGINT and SIGTERM, run the shutdown hooks, then exit
   * the process with code 0; a second signal forces the exit. Default `true`.
   */
  handleSignals?: boolean;
  /**
   * Keep serving when app code throws outside a request: an uncaught
   * exception (in a timer, say) or an unhandled rejection is logged once and
   * the process goes on. The common case is a streaming app whose timer
   * enqueues into its response stream after the client left (the stream is
   * cancelled, so `enqueue()` throws). Default `true`; `false` leaves the
   * runtime's default, which ends the process.
   */
  handleUncaught?: boolean;
  /** Milliseconds a graceful shutdown waits for in-flight requests before cutting them. Default 10 000. */
  shutdownDeadline?: number;
  /**
   * Processes serving the same port: a number, or `"auto"` for one per core.
   * SO_REUSEPORT on Deno and Bun, `node:cluster` on Node. Default 1.
   */
  workers?: number | "auto";
  /** Request limits; see {@linkcode Limits} for the defaults. */
  limits?: Partial<Limits>;
  /**
   * Serve HTTPS with this certificate and key (see {@linkcode TlsOptions}):
   * HTTP/2 and HTTP/1.1 on the same port, and `https://` addresses.
   */
  tls?: TlsOptions;
  /**
   * Options handed unchanged to the runtime's own server, for what fetchkit does
   * not abstract (for example Bun's `websocket` handlers).
   */
  native?: Record<string, unknown>;
  /**
   * Node only: replace the global `Response`, `Request` and `fetch` with thin
   * wrappers that build Node's own objects only when something needs them, and
   * hand handlers a lightweight Request. A plain handler answers about twice as
   * fast; `instanceof`, `new Request(request)` and `fetch(request)` behave as
   * before. Default `true` (as `@hono/node-server` does); `false` keeps Node's.
   */
  overrideGlobals?: boolean;
}

/**
 * The certificate and key of {@linkcode ServeOptions.tls}. Each of `cert` and
 * `key` is PEM text when it starts with `-----BEGIN`, otherwise the path of a
 * file holding it. Both are read and checked when the server starts: a missing
 * file, text that is not PEM or a key that does not belong to the certificate
 * makes `serve()` reject with a TypeError naming the option.
 */
export interface TlsOptions {
  /** The certificate, followed by any intermediate certificates (a "full chain"). */
  cert: string;
  /** The private key of the certificate. */
  key: string;
  /** The passphrase of an encrypted key. */
  passphrase?: string;
}

/** A running server. */
export interface Server {
  /** The first bound address, e.g. `http://127.0.0.1:8000/`. */
  readonly url: URL;
  /** Every bound address. */
  readonly addresses: readonly URL[];
  /** The bound port. */
  readonly port: number;
  /** Which adapter is serving. */
  readonly runtime: "deno" | "bun" | "node";
  /** How many processes serve the port (1 unless `workers` was given). */
  readonly workers: number;
  /** Stops accepting, lets in-flight requests finish (up to the deadline), then closes. */
  shutdown(): Promise<void>;
  /** Resolves once the server has stopped. */
  readonly finished: Promise<void>;
  /** `await using server = await serve(...)` shuts it down at scope exit. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What an adapter receives: resolved options and the handler. */
export interface AdapterInput {
  handler: Handler;
  port: number;
  hostname: string;
  limits: Limits;
  /** Bind with SO_REUSEPORT (a worker of a multi-process server). */
  reusePort: boolean;
  native: Record<string, unknown>;
  /** Node: use light Request/Response objects (see {@linkcode ServeOptions.overrideGlobals}). */
  overrideGlobals: boolean;
  /** Serve HTTPS (HTTP/2 where the runtime can) with this certificate and unencrypted key, both PEM. */
  tls?: { cert: string; key: string };
  /** Tracks background work so shutdown can wait for it. */
  track(promise: Promise<unknown>): void;
}

/** What an adapter returns before `serve()` wraps it into a {@linkcode Server}. */
export interface AdapterServer {
  port: number;
  runtime: Server["runtime"];
  /** Stop accepting; in-flight requests finish, keep-alive connections are told to close. */
  close(): Promise<void>;
  /** Cut whatever is still open. */
  forceClose(): Promise<void>;
}
