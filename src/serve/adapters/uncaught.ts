/**
 * Errors app code throws outside any request, contained while a server runs:
 * an uncaught exception (a timer's callback) or an unhandled rejection is
 * logged once and the process goes on serving.
 *
 * Why at the process level: the commonest case is a streaming app whose timer
 * calls `controller.enqueue()` after the client left (honojs/node-server#239).
 * Cancelling a response stream on disconnect is what the Streams spec asks of
 * its reader (Deno, Node's writer), and from then on every `enqueue()` throws a
 * TypeError, in the app's own timer, where no server code is on the stack:
 * one impatient client would otherwise end the process for everyone. Such an
 * error repeats at every tick, so each distinct error (message and throwing
 * line) is logged once.
 *
 * `handleUncaught: false` leaves the runtime's default (the process exits).
 *
 * @module
 */

interface NodeProcess {
  on(event: string, listener: (error: unknown) => void): unknown;
  off(event: string, listener: (error: unknown) => void): unknown;
}
interface DenoEvents {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** How many distinct errors are remembered (each logged once); past that they are logged without memory. */
const REMEMBERED = 256;
/** How long a client's disconnect from a streamed response explains a closed-stream error, in ms. */
const CUT_WINDOW = 60_000;

const logged = new Set<string>();
/** Routes whose streamed response the client cut, most recent last: who probably wrote to a closed stream. */
const cuts: { route: string; at: number }[] = [];
let holders = 0;
let uninstall: (() => void) | undefined;

/**
 * Records that the client of `route` left while its response streamed, so a
 * closed-stream error that follows can name the route (adapters that see the
 * cut call this: Node's writer cancels the stream itself).
 */
export function noteCutStream(route: string): void {
  if (cuts.length >= 16) cuts.shift();
  cuts.push({ route: route || "/", at: Date.now() });
}

/** Whether `error` is the TypeError of an `enqueue()`/`close()` on a stream that was cancelled or closed. */
function isClosedStreamError(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  if ((error as { code?: unknown }).code === "ERR_INVALID_STATE") return true;
  return /controller (?:is already closed|cannot close or enqueue)|stream is (?:already )?closed/i.test(error.message);
}

/** The line of the stack that threw, past the runtime's own frames: what makes two errors the same one. */
function throwingLine(error: unknown): string {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  const frames = stack.split("\n").filter((line) => /^\s+at /.test(line));
  return frames.find((line) => !/node:|ext:|native/.test(line)) ?? frames[0] ?? "";
}

function recentRoutes(): string[] {
  const since = Date.now() - CUT_WINDOW;
  return [...new Set(cuts.filter((cut) => cut.at >= since).map((cut) => cut.route))];
}

/** Logs `error` unless the same one was logged already. */
export function reportUncaught(kind: "exception" | "rejection", error: unknown): void {
  const key = `${kind} ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} ${
    throwingLine(error)
  }`;
  if (logged.has(key)) return;
  if (logged.size < REMEMBERED) logged.add(key);
  let what = kind === "exception" ? "an uncaught exception" : "an unhandled rejection";
  if (isClosedStreamError(error)) {
    const routes = recentRoutes();
    const where = routes.length > 0 ? ` of route ${routes.map((route) => JSON.stringify(route)).join(", ")}` : "";
    what += ` (app code wrote to a response stream${where} after its client disconnected)`;
  }
  console.error(`fetchkit: ${what}; the server keeps running, further identical errors are not logged:`, error);
}

const onException = (error: unknown) => reportUncaught("exception", error);
const onRejection = (reason: unknown) => reportUncaught("rejection", reason);
const onErrorEvent = (event: Event) => {
  event.preventDefault();
  reportUncaught("exception", (event as ErrorEvent).error);
};
const onRejectionEvent = (event: Event) => {
  event.preventDefault();
  reportUncaught("rejection", (event as PromiseRejectionEvent).reason);
};

function install(): () => void {
  const global = globalThis as { Deno?: unknown; process?: NodeProcess };
  if (global.Deno) {
    const events = globalThis as unknown as DenoEvents;
    events.addEventListener("error", onErrorEvent);
    events.addEventListener("unhandledrejection", onRejectionEvent);
    return () => {
      events.removeEventListener("error", onErrorEvent);
      events.removeEventListener("unhandledrejection", onRejectionEvent);
    };
  }
  const process = global.process;
  if (!process) return () => {};
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}

/**
 * Contains uncaught errors while the caller (a running server) holds the
 * returned release; the process listeners go once no server holds them.
 */
export function containUncaught(): () => void {
  if (holders++ === 0) uninstall = install();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) {
      uninstall?.();
      uninstall = undefined;
    }
  };
}
