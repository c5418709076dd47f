/**
 * Starts a real `workerd` on 127.0.0.1 with a generated config: the entry is
 * bundled by esbuild, the config written to a temporary folder, and the process
 * stopped by `close()`. Used by the Workers layer and by end-to-end tests.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { freePort } from "./port.ts";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A running workerd. */
export interface Workerd {
  url: URL;
  close(): Promise<void>;
  /** Everything workerd printed so far. */
  output(): string;
}

/** Options of {@linkcode startWorkerd}. */
export interface WorkerdOptions {
  /** Text bindings (`env.NAME`). */
  text?: Record<string, string>;
  /** JSON bindings. */
  json?: Record<string, unknown>;
  /** esbuild `define`s, e.g. a generated manifest. */
  define?: Record<string, string>;
  /** workerd compatibility flags (default `["nodejs_compat"]`; `[]` checks a Worker that needs none). */
  compatibilityFlags?: string[];
}

const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk) => (err += chunk));
    child.once("error", fail);
    child.once("exit", (code) => (code === 0 ? done() : fail(new Error(`${command} exited ${code}: ${err}`))));
  });
}

/** Bundles `entry` (a module with `export default { fetch }`) and serves it with workerd. */
export async function startWorkerd(entry: string, options: WorkerdOptions = {}): Promise<Workerd> {
  const dir = await mkdtemp(join(tmpdir(), "fetchkit-workerd-"));
  const bundle = join(dir, "worker.js");
  const defines = Object.entries(options.define ?? {}).map(([k, v]) => `--define:${k}=${v}`);
  await run(bin("esbuild"), [
    resolve(root, entry),
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--main-fields=module,main",
    "--external:node:*",
    "--external:cloudflare:*",
    "--external:bun:*",
    `--outfile=${bundle}`,
    "--log-level=warning",
    ...defines,
  ]);
  const bindings = [
    ...Object.entries(options.text ?? {}).map(([name, text]) =>
      `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`
    ),
    ...Object.entries(options.json ?? {}).map(([name, value]) =>
      `(name = ${JSON.stringify(name)}, json = ${JSON.stringify(JSON.stringify(value))})`
    ),
  ];
  for (let attempt = 0;; attempt++) {
    const port = await freePort();
    const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ${JSON.stringify(options.compatibilityFlags ?? ["nodejs_compat"])},
  bindings = [ ${bindings.join(", ")} ],
);
`;
    await writeFile(join(dir, "config.capnp"), config);
    const child = spawn(bin("workerd"), ["serve", join(dir, "config.capnp"), "--verbose"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.once("exit", done));
    const url = new URL(`http://127.0.0.1:${port}/`);
    const up = await waitUntilListening(port, exited);
    if (!up) {
      if (attempt < 3 && /address already in use/i.test(output)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`workerd did not start:\n${output}`);
    }
    return {
      url,
      output: () => output,
      async close() {
        child.kill("SIGTERM");
        await exited;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

async function waitUntilListening(port: number, exited: Promise<number | null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 200 && !gone; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/__fetchkit_probe__`, { signal: AbortSignal.timeout(500) });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return false;
}
