/**
 * One graceful shutdown per process, whatever the runtime: the first SIGINT or
 * SIGTERM stops every live server (in-flight requests finish, keep-alive
 * clients are told to close), waits for `waitUntil` work, runs the shutdown
 * hooks, then exits with code 0. A second signal exits at once (128 + signal
 * number, the shell's convention for "killed by").
 *
 * @module
 */
import { runShutdownHooks } from "../lifecycle.ts";
import { exit, onSignal, type StopSignal } from "../internal/process.ts";

/** What the coordinator stops. */
export interface Stoppable {
  shutdown(): Promise<void>;
  forceClose(): Promise<void>;
}

const live = new Set<Stoppable>();
let unlisten: (() => void)[] = [];
let stopping = false;
const codes: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Stops this process gracefully, as the first signal would (`server` is stopped too if not yet under signal control). */
export function stopProcess(reason: string, server?: Stoppable): void {
  if (server) live.add(server);
  if (stopping) return;
  stopping = true;
  console.error(`fetchkit: ${reason}, shutting down gracefully (signal again to force)`);
  void (async () => {
    await Promise.allSettled([...live].map((server) => server.shutdown()));
    await runShutdownHooks();
    exit(0);
  })();
}

function onStop(signal: StopSignal): void {
  if (!stopping) return stopProcess(`${signal} received`);
  console.error(`fetchkit: ${signal} again, exiting now`);
  void Promise.allSettled([...live].map((server) => server.forceClose())).finally(() => exit(codes[signal]));
}

const listeners: Record<StopSignal, () => void> = {
  SIGINT: () => onStop("SIGINT"),
  SIGTERM: () => onStop("SIGTERM"),
};

/**
 * Puts a server under signal control; returns the function that takes it out
 * (the signal listeners go once no server is left, so the process keeps its
 * default behaviour when nothing is served).
 */
export function stopOnSignals(server: Stoppable): () => void {
  live.add(server);
  if (unlisten.length === 0) unlisten = [onSignal("SIGINT", listeners.SIGINT), onSignal("SIGTERM", listeners.SIGTERM)];
  return () => {
    live.delete(server);
    if (live.size === 0 && !stopping) {
      for (const stop of unlisten) stop();
      unlisten = [];
    }
  };
}
