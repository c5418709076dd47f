/**
 * Multi-process serving, each runtime by its own mechanism. Deno and Bun: the
 * primary serves with SO_REUSEPORT and re-runs this program N-1 times, each
 * copy binding the same port (the kernel spreads connections). Node:
 * `node:cluster`, whose primary only hands connections to N workers.
 *
 * A worker stops gracefully when its primary says so (stdin closed on Deno and
 * Bun, an IPC message under cluster) or when the primary disappears, so no
 * worker outlives its primary.
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import { args, envObject, onStdinClosed, selfCommand } from "../../internal/process.ts";
import { printAddresses, type Resolved, wrap } from "../server.ts";
import { type Stoppable, stopProcess } from "../shutdown.ts";
import type { AdapterServer, Server } from "../types.ts";
import { WORKER_ENV } from "../worker_env.ts";
import { runtime } from "../../internal/runtime.ts";

const STOP = "fetchkit:stop";

/** Starts a primary and its workers; resolves once every worker listens. */
export async function servePrimary(resolved: Resolved): Promise<Server> {
  const isNode = runtime === "node";
  const adapter = isNode ? await clusterPrimary(resolved) : await reusePortPrimary(resolved);
  const server = wrap(adapter, resolved, resolved.workers, () => Promise.resolve());
  (resolved.options.onListen ?? printAddresses)([...server.addresses]);
  return server;
}

/** The line a worker prints once it listens; its primary reads it and does not pass it on. */
export const READY = "fetchkit:worker-listening";

/**
 * Deno and Bun: N copies of this program each bind the port with SO_REUSEPORT
 * (the kernel spreads connections); the primary only supervises. Deno's
 * `reusePort` is unstable, so its workers run with `--unstable-net`.
 */
async function reusePortPrimary(resolved: Resolved): Promise<AdapterServer> {
  const [{ spawn }, port] = await Promise.all([
    import("node:child_process"),
    resolved.port === 0 ? freePort(resolved.hostname) : Promise.resolve(resolved.port),
  ]);
  const [command, ...rest] = selfCommand();
  if (runtime === "deno" && !rest.includes("--unstable-net")) rest.splice(1, 0, "--unstable-net");
  const children = new Set<ChildProcess>();
  const exits = new Map<ChildProcess, Promise<void>>();
  let stopping = false;
  const launch = (index: number): Promise<void> =>
    new Promise((ready, failed) => {
      const child = spawn(command, rest, {
        env: { ...envObject(), [WORKER_ENV.index]: String(index), [WORKER_ENV.port]: String(port) },
        stdio: ["pipe", "pipe", "inherit"],
      });
      children.add(child);
      exits.set(child, new Promise((done) => child.once("exit", () => done())));
      let buffered = "";
      child.stdout!.on("data", (chunk: Uint8Array) => {
        buffered += new TextDecoder().decode(chunk);
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line === READY) ready();
          else console.log(line);
        }
      });
      child.once("exit", (code, signal) => {
        children.delete(child);
        failed(new Error(`fetchkit: worker ${index} ${exitReason(code, signal)} while starting`));
        if (!stopping) {
          console.error(`fetchkit: worker ${index} ${exitReason(code, signal)}, starting another`);
          void launch(index).catch((error) => console.error(error.message));
        }
      });
    });
  try {
    await Promise.all(Array.from({ length: resolved.workers }, (_, i) => launch(i + 1)));
  } catch (error) {
    stopping = true;
    for (const child of children) child.kill("SIGKILL");
    throw error;
  }
  return {
    port,
    runtime: runtime === "deno" ? "deno" : "bun",
    async close() {
      stopping = true;
      for (const child of children) child.stdin?.end();
      await Promise.all([...children].map((child) => exits.get(child)));
    },
    forceClose() {
      stopping = true;
      for (const child of children) child.kill("SIGKILL");
      return Promise.resolve();
    },
  };
}

/** How a worker ended, for the log: `exited with code 1`, or `killed by SIGKILL` (a signal leaves no code). */
function exitReason(code: number | null, signal: string | null): string {
  return signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
}

/** A free port on `hostname`, for workers that must all bind the same one. */
async function freePort(hostname: string): Promise<number> {
  const { createServer } = await import("node:net");
  return await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, hostname, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Node: a cluster primary; the workers re-run this program and serve. */
async function clusterPrimary(resolved: Resolved): Promise<AdapterServer> {
  const cluster = (await import("node:cluster")).default;
  cluster.setupPrimary({ args: args(), silent: false });
  let stopping = false;
  // Every worker asks for the same port (0 included): cluster shares one handle per address asked.
  let port = resolved.port;
  const fork = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_ENV.index]: String(index), [WORKER_ENV.port]: String(resolved.port) });
      worker.once("listening", (address: { port: number }) => {
        port = address.port;
        resolve();
      });
      worker.once("exit", (code: number | null, signal: string | null) => {
        reject(new Error(`fetchkit: worker ${index} ${exitReason(code, signal)} while starting`));
        if (!stopping) {
          console.error(`fetchkit: worker ${index} ${exitReason(code, signal)}, starting another`);
          void fork(index).catch((error) => console.error(error));
        }
      });
    });
  // The first worker picks the port (when 0 was asked), the others share it.
  await fork(1);
  await Promise.all(Array.from({ length: resolved.workers - 1 }, (_, i) => fork(i + 2)));
  const workers = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  return {
    port,
    runtime: "node",
    async close() {
      stopping = true;
      await Promise.all(
        workers().map((worker) =>
          new Promise<void>((done) => {
            if (worker.isDead()) return done();
            worker.once("exit", () => done());
            worker.send(STOP);
          })
        ),
      );
    },
    forceClose() {
      stopping = true;
      for (const worker of workers()) worker.process.kill("SIGKILL");
      return Promise.resolve();
    },
  };
}

/** In a worker process: stop gracefully when the primary asks or goes away. */
export function followPrimary(server: Server): void {
  const stoppable: Stoppable = { shutdown: () => server.shutdown(), forceClose: () => server.shutdown() };
  const process = (globalThis as {
    process?: { send?: unknown; on(event: string, listener: (message?: unknown) => void): void };
  }).process;
  if (runtime !== "deno" && typeof process?.send === "function") {
    // node:cluster: an IPC message, or the channel closing with the primary.
    process.on("message", (message) => message === STOP && stopProcess("stop from the primary", stoppable));
    process.on("disconnect", () => stopProcess("primary gone", stoppable));
  } else {
    onStdinClosed(() => stopProcess("stop from the primary", stoppable));
    console.log(READY);
  }
}
