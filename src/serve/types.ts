/**
 * The shapes shared by `serve()` and its per-runtime adapters.
 *
 * @module
 */
import type { Handler } from "../handler.ts";

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
   * Options handed unchanged to the runtime's own server, for what fetchkit does
   * not abstract (for example Bun's `websocket` handlers).
   */
  native?: Record<string, unknown>;
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
  /** Stops accepting, lets in-flight requests finish, then closes. */
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
  native: Record<string, unknown>;
  /** Tracks background work so shutdown can wait for it. */
  track(promise: Promise<unknown>): void;
}

/** What an adapter returns before `serve()` wraps it into a {@linkcode Server}. */
export interface AdapterServer {
  port: number;
  runtime: Server["runtime"];
  /** Stop accepting and finish in-flight requests. */
  close(): Promise<void>;
}
