/**
 * The few process facilities serving needs (environment, arguments, signals,
 * exit), over Deno's namespace or the `process` global of Node and Bun.
 *
 * @module
 */

/** A signal a graceful shutdown answers. */
export type StopSignal = "SIGINT" | "SIGTERM";

interface DenoProcess {
  args: string[];
  pid: number;
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  exit(code?: number): never;
  execPath(): string;
  mainModule: string;
  addSignalListener(signal: StopSignal, listener: () => void): void;
  removeSignalListener(signal: StopSignal, listener: () => void): void;
}
interface NodeProcess {
  argv: string[];
  execArgv: string[];
  execPath: string;
  pid: number;
  env: Record<string, string | undefined>;
  exitCode?: number;
  exit(code?: number): never;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

const deno = (globalThis as { Deno?: DenoProcess }).Deno;
const node = (globalThis as { process?: NodeProcess }).process;

/** Reads an environment variable; `undefined` when absent or not permitted. */
export function env(name: string): string | undefined {
  try {
    return deno ? deno.env.get(name) : node?.env[name];
  } catch {
    return undefined; // Deno without --allow-env: fall back to defaults
  }
}

/** A copy of the whole environment, for a child process (Deno needs `--allow-env`). */
export function envObject(): Record<string, string> {
  if (deno) return deno.env.toObject();
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(node?.env ?? {})) if (value !== undefined) copy[name] = value;
  return copy;
}

/** The script's own arguments (after the script path). */
export function args(): string[] {
  return deno ? [...deno.args] : node ? node.argv.slice(2) : [];
}

/** The current process id. */
export function pid(): number {
  return deno?.pid ?? node?.pid ?? 0;
}

/** Ends the process. */
export function exit(code: number): never {
  if (deno) return deno.exit(code);
  if (node) return node.exit(code);
  throw new Error(`exit(${code}): no process to exit`);
}

/** Listens for a signal; returns the function that stops listening. */
export function onSignal(signal: StopSignal, listener: () => void): () => void {
  if (deno) {
    deno.addSignalListener(signal, listener);
    return () => deno.removeSignalListener(signal, listener);
  }
  if (node) {
    node.on(signal, listener);
    return () => void node.off(signal, listener);
  }
  return () => {};
}

/** The command line that re-runs this very program (runtime, its flags, script, arguments). */
export function selfCommand(): string[] {
  if (deno) return [deno.execPath(), "run", ...denoPermissionFlags(), deno.mainModule, ...deno.args];
  if (node) return [node.execPath, ...node.execArgv, ...node.argv.slice(1)];
  throw new Error("no process to re-run");
}

/** The permissions this Deno process holds in full, as flags for a child. */
function denoPermissionFlags(): string[] {
  const permissions = (globalThis as {
    Deno?: { permissions: { querySync(d: { name: string }): { state: string } } };
  }).Deno?.permissions;
  const names = ["read", "write", "net", "env", "run", "sys", "ffi", "import"];
  const granted = names.filter((name) => {
    try {
      return permissions?.querySync({ name }).state === "granted";
    } catch {
      return false;
    }
  });
  return granted.length === names.length ? ["-A"] : granted.map((name) => `--allow-${name}`);
}

/** The current working directory. */
export function cwd(): string {
  if (deno) return (deno as unknown as { cwd(): string }).cwd();
  return (node as unknown as { cwd(): string }).cwd();
}

/** Calls `listener` once standard input ends (the parent that holds its other end closed it or died). */
export function onStdinClosed(listener: () => void): void {
  let called = false;
  const once = () => {
    if (!called) (called = true, listener());
  };
  if (deno) {
    const stdin = (deno as unknown as { stdin: { read(buffer: Uint8Array): Promise<number | null> } }).stdin;
    void (async () => {
      const buffer = new Uint8Array(256);
      try {
        while ((await stdin.read(buffer)) !== null) { /* nothing is ever written */ }
      } catch { /* closed */ }
      once();
    })();
    return;
  }
  const stdin = (node as unknown as { stdin?: { on(e: string, l: () => void): unknown; resume(): void } }).stdin;
  if (!stdin) return;
  stdin.on("end", once);
  stdin.on("close", once);
  stdin.resume();
}

/** Lets a timer not keep the process alive (Node and Bun timers are objects, Deno's are numbers). */
export function unref(timer: unknown): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) (timer as { unref(): void }).unref();
  else {
    const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
    if (typeof timer === "number") deno?.unrefTimer?.(timer);
  }
}
