/**
 * CPU profiles through `node:inspector`'s `Session` (`Profiler.start`/`stop`),
 * which Node, Deno (2.x) and Bun (1.2+) all implement. `node:inspector` is
 * imported lazily so a Workers bundle holds no static `node:` import.
 *
 * @module
 */

interface InspectorSession {
  connect(): void;
  disconnect(): void;
  post(
    method: string,
    params: Record<string, unknown>,
    callback: (error: Error | null, result?: unknown) => void,
  ): void;
}
interface Inspector {
  Session: new () => InspectorSession;
}

/** Why CPU profiles are unavailable here, or `undefined` when they work. */
export async function unavailableReason(): Promise<string | undefined> {
  try {
    const { Session } = await import("node:inspector") as unknown as Inspector;
    const session = new Session();
    session.connect();
    session.disconnect();
    return undefined;
  } catch (error) {
    return `node:inspector is not usable on this runtime (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Samples the CPU for `seconds` (or until `signal` aborts) and returns the
 * profile as `.cpuprofile` JSON, the format Chrome DevTools and speedscope open.
 */
export async function recordCpuProfile(seconds: number, signal?: AbortSignal): Promise<string> {
  const { Session } = await import("node:inspector") as unknown as Inspector;
  const session = new Session();
  session.connect();
  const post = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
    );
  try {
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 100 }).catch(() => {});
    await post("Profiler.start");
    await new Promise<void>((done) => {
      const timer = setTimeout(done, seconds * 1000);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        done();
      }, { once: true });
    });
    const { profile } = await post("Profiler.stop") as { profile: unknown };
    return JSON.stringify(profile);
  } finally {
    await post("Profiler.disable").catch(() => {});
    session.disconnect();
  }
}
