/**
^ * `fetchkit --watch`: a small supervisor that runs the command as a child and
 * restarts it when a source file under the served folder changes. The child
 * is stopped the graceful way (SIGTERM: in-flight requests finish) before the
 * new one starts.
 *
 * Why not the runtimes' own watchers: `deno run --watch` keeps running after
 * the program exits on SIGTERM (so the supervised server could not be
 * stopped), and each watcher has its own flags and restart behaviour; one
 * supervisor over `node:fs` watch behaves the same on all three.
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import type { CliOptions } from "./args.ts";
import { fileUrl } from "./module.ts";
import { cwd, envObject, onSignal } from "../internal/process.ts";

/** Files whose change restarts the server. */
const SOURCE = /\.(?:[cm]?[jt]sx?|json|html?|css|md|txt)$/;
const IGNORED = /(?:^|[\\/])(?:node_modules|\.git|\.test-out)(?:[\\/]|$)/;

function childCommand(): string[] {
  const deno = (globalThis as { Deno?: { execPath(): string; mainModule: string } }).Deno;
  if (deno) return [deno.execPath(), "run", "-A", deno.mainModule];
  const process = (globalThis as unknown as { process: { execPath: string; execArgv: string[]; argv: string[] } })
    .process;
  return [process.execPath, ...process.execArgv, process.argv[1]];
}

/** The folder to watch: the module's, the static directory's, or the example site's. */
function watchedFolder(options: CliOptions): string {
  const path = options.module ?? options.static;
  if (path === undefined) return new URL("../../examples/site/", import.meta.url).pathname;
  const url = fileUrl(path, cwd());
  return decodeURIComponent(options.module ? new URL(".", url).pathname : url.pathname);
}

/** Runs the command under the supervisor; resolves to the exit code of the last child. */
export async function watch(argv: readonly string[], options: CliOptions): Promise<number> {
  const [{ spawn }, { watch: watchFiles }] = await Promise.all([import("node:child_process"), import("node:fs")]);
  const [command, ...prefix] = childCommand();
  const args = [...prefix, ...argv.filter((arg) => arg !== "--watch")];
  const env = { ...envObject(), FETCHKIT_WATCHING: "1" };
  let child: ChildProcess | undefined;
  let exited: Promise<number> = Promise.resolve(0);
  let stopping = false;

  const launch = () => {
    // Its own process group: a terminal's Ctrl-C reaches only us, and we pass on exactly one signal.
    const started = spawn(command, args, { env, stdio: ["pipe", "inherit", "inherit"], detached: true });
    child = started;
    exited = new Promise((done) => started.once("exit", (code, signal) => done(code ?? (signal ? 1 : 0))));
  };
  const stopChild = async (signal: "SIGTERM" | "SIGINT") => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(signal);
    const timer = setTimeout(() => running.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };

  let pending: ReturnType<typeof setTimeout> | undefined;
  let restarting = Promise.resolve();
  const folder = watchedFolder(options);
  const watcher = watchFiles(folder, { recursive: true }, (_event, name) => {
    const file = String(name ?? "");
    if (stopping || !SOURCE.test(file) || IGNORED.test(file)) return;
    clearTimeout(pending);
    pending = setTimeout(() => {
      restarting = restarting.then(async () => {
        console.error(`fetchkit: ${file} changed, restarting`);
        await stopChild("SIGTERM");
        if (!stopping) launch();
      });
    }, 100);
  });
  launch();
  console.error(`fetchkit: watching ${folder} for changes`);

  const done = new Promise<number>((resolve) => {
    const stop = (signal: "SIGTERM" | "SIGINT") => {
      if (stopping) return void child?.kill("SIGKILL");
      stopping = true;
      clearTimeout(pending);
      watcher.close();
      void restarting.then(() => stopChild(signal)).then(() => exited).then(resolve);
    };
    onSignal("SIGTERM", () => stop("SIGTERM"));
    onSignal("SIGINT", () => stop("SIGINT"));
  });
  return await done;
}
