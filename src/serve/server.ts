/**
 * The server lifecycle shared by a single server and the primary of a
 * multi-process one: the addresses it prints, and `wrap()`, which turns an
 * adapter into a {@linkcode Server} with a deadline-bounded shutdown.
 *
 * @module
 */
import { unref } from "../internal/process.ts";
import { stopOnSignals } from "./shutdown.ts";
import type { AdapterServer, ServeOptions, Server } from "./types.ts";

/** Prints each address as a URL a terminal makes clickable. */
export function printAddresses(addresses: readonly URL[]): void {
  for (const url of addresses) console.log(`Listening on ${url.href}`);
}

/** The URLs a server bound to `hostname` answers on (a wildcard lists loopback). */
function addressesOf(hostname: string, port: number, scheme: string): URL[] {
  const show = (host: string) => new URL(`${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}/`);
  if (hostname === "0.0.0.0") return [show("127.0.0.1"), show("0.0.0.0")];
  if (hostname === "::") return [show("::1"), show("::")];
  return [show(hostname)];
}

/** A timer that does not keep the process alive, and its cancel. */
export const delay = (ms: number) => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  unref(timer);
  return { promise, cancel: () => clearTimeout(timer) };
};

/** Resolved options shared by the single server and the multi-process one. */
export interface Resolved {
  options: ServeOptions;
  port: number;
  hostname: string;
  deadline: number;
  workers: number;
  /** `https` when serving with TLS. */
  scheme: "http" | "https";
}

/**
 * Wraps an adapter into a {@linkcode Server}: deadline-bounded shutdown,
 * `finished`, the abort signal and the signal handlers.
 */
export function wrap(
  adapter: AdapterServer,
  resolved: Resolved,
  workers: number,
  afterClose: () => Promise<void>,
): Server {
  const { options, deadline } = resolved;
  const addresses = addressesOf(resolved.hostname, adapter.port, resolved.scheme);
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  let stopping: Promise<void> | undefined;
  let release = () => {};
  const shutdown = () =>
    stopping ??= (async () => {
      const limit = delay(deadline);
      const closed = adapter.close().then(() => true, (error) => (console.error(error), true));
      const inTime = await Promise.race([closed, limit.promise.then(() => false)]);
      limit.cancel();
      if (!inTime) {
        console.error(`fetchkit: shutdown deadline (${deadline} ms) reached, closing the remaining connections`);
        await adapter.forceClose();
      }
      await afterClose();
      release();
      resolveFinished();
    })();
  const server: Server = {
    url: addresses[0],
    addresses,
    port: adapter.port,
    runtime: adapter.runtime,
    workers,
    shutdown,
    finished,
    [Symbol.asyncDispose]: shutdown,
  };
  if (options.handleSignals !== false) {
    release = stopOnSignals({ shutdown, forceClose: () => adapter.forceClose() });
  }
  if (options.signal) {
    if (options.signal.aborted) void shutdown();
    else options.signal.addEventListener("abort", () => void shutdown(), { once: true });
  }
  return server;
}
