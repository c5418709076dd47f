/**
 * One portable `test()` over each runtime's own runner: `Deno.test` on Deno,
 * `bun:test` on Bun, `node:test` on Node, and a plain registry on workerd (run by
 * tests/workers/run.ts). Test files import only this and `node:assert/strict`,
 * so the same files run everywhere.
 */

/** The runtime executing the tests. */
export type Runtime = "deno" | "bun" | "node" | "workerd";

/** Options of one test. */
export interface TestOptions {
  /** Run only on these runtimes. */
  only?: Runtime[];
  /** Skip on these runtimes. */
  skip?: Runtime[];
  /** Milliseconds before the test fails (default 60 s). */
  timeout?: number;
}

type TestFn = () => unknown | Promise<unknown>;

function detect(): Runtime {
  const agent = globalThis.navigator?.userAgent ?? "";
  if (agent.startsWith("Deno")) return "deno";
  if (agent.startsWith("Bun")) return "bun";
  if (agent.startsWith("Cloudflare-Workers")) return "workerd";
  return "node";
}

/** The runtime these tests are running on. */
export const runtime: Runtime = detect();

/** Reads an environment variable on any runtime (undefined on workerd). */
export function env(name: string): string | undefined {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env?.[name];
}

/** Tests registered on workerd, run by the worker in tests/workers/suite_worker.ts. */
export const registry: { name: string; fn: TestFn; timeout: number }[] = [];

type Register = (name: string, fn: TestFn, timeout: number, skipped: boolean) => void;

async function load(): Promise<Register> {
  switch (runtime) {
    case "deno": {
      const Deno = (globalThis as unknown as { Deno: { test(options: Record<string, unknown>): void } }).Deno;
      return (name, fn, timeout, ignore) =>
        Deno.test({
          name,
          ignore,
          // Servers and timers are closed by each test itself; leaks are checked
          // by dedicated tests (open file counts) rather than by the sanitizers.
          sanitizeOps: false,
          sanitizeResources: false,
          fn: () => withTimeout(name, fn, timeout),
        });
    }
    case "bun": {
      const bun = await import("bun:test" as string) as {
        test: ((name: string, fn: TestFn, timeout: number) => void) & { skip(name: string, fn: TestFn): void };
      };
      return (name, fn, timeout, skipped) => skipped ? bun.test.skip(name, fn) : bun.test(name, fn, timeout);
    }
    case "node": {
      const node = await import("node:test");
      return (name, fn, timeout, skip) => void node.test(name, { skip, timeout }, () => fn() as Promise<void>);
    }
    case "workerd":
      return (name, fn, timeout, skipped) => void (skipped || registry.push({ name, fn, timeout }));
  }
}

const register = await load();

async function withTimeout(name: string, fn: TestFn, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test "${name}" timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([fn(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Declares a test on the current runtime.
 *
 * @example
 * ```ts
 * test("adds", () => assert.equal(1 + 1, 2));
 * test("only where there is a filesystem", () => {}, { skip: ["workerd"] });
 * ```
 */
export function test(name: string, fn: TestFn, options: TestOptions = {}): void {
  const skipped = (options.only !== undefined && !options.only.includes(runtime)) ||
    (options.skip?.includes(runtime) ?? false);
  register(name, fn, options.timeout ?? 60_000, skipped);
}
