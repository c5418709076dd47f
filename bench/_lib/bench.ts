/**
 * Benchmark runner: starts a server command pinned to one core with `taskset`,
 * drives it with `wrk` pinned to the other core, and reports requests/s and the
 * ratio to a baseline measured in the same run. Cases are measured in
 * alternating rounds (A B A B …). A ratio is the median of the per-round
 * ratios, each case against the baseline measured just before it: this
 * machine's throughput switches between levels up to ~25 % apart, often for
 * tens of seconds, and a ratio of medians taken across such a switch is off by
 * that much, while a round and its neighbour usually share one level.
 *
 * Run benches with Node 24: `node bench/<name>.ts` (npm run bench runs them all).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { freePort } from "../../tests/_lib/port.ts";
import { join, resolve } from "node:path";

export const root: string = resolve(import.meta.dirname ?? ".", "../..");
export const bin = (name: string): string => join(root, "node_modules", ".bin", name);

/** The runtimes a bench server can run on. */
export type Runtime = "deno" | "bun" | "node";

/** The command that runs a TypeScript file on a runtime. */
export function runOn(runtime: Runtime, file: string, ...args: string[]): string[] {
  const path = resolve(root, file);
  switch (runtime) {
    case "deno":
      return [bin("deno"), "run", "-A", "--no-check", path, ...args];
    case "bun":
      return [bin("bun"), "run", path, ...args];
    case "node":
      return [bin("node"), path, ...args];
  }
}

/** A server to benchmark: a command that listens on `$PORT` (127.0.0.1). */
export interface ServerSpec {
  name: string;
  command: string[];
  env?: Record<string, string>;
  /** Path requested to decide the server is up (default "/"). */
  readyPath?: string;
  /** Cores the server may use (default "0"). */
  cpus?: string;
  /** It serves HTTPS (with a certificate nobody needs to trust: neither wrk nor the readiness probe checks it). */
  https?: boolean;
}

/** A started server. */
export interface RunningServer {
  url: URL;
  pid: number;
  /** Resident set size of the server process tree in bytes (Linux /proc). */
  rss(): number;
  /** CPU seconds (user + system) the server process tree has used so far (Linux /proc, 10 ms steps). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Installs wrk from Debian's packages when it is missing (root only). */
export function ensureTools(...tools: string[]): void {
  const packages: Record<string, string> = { wrk: "wrk", nginx: "nginx-light", taskset: "util-linux" };
  const missing = tools.filter((tool) =>
    spawnSync("sh", ["-c", `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0
  );
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(", ")} from Debian's packages…`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", ...missing.map((t) => packages[t] ?? t)], { stdio: "inherit" });
}

/** Calls `visit` with the /proc/<pid>/status and /proc/<pid>/stat of a process and all its descendants. */
function eachInTree(pid: number, visit: (status: string, stat: string) => void): void {
  try {
    visit(readFileSync(`/proc/${pid}/status`, "utf8"), readFileSync(`/proc/${pid}/stat`, "utf8"));
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    for (const child of children.split(/\s+/).filter(Boolean)) eachInTree(Number(child), visit);
  } catch { /* process gone */ }
}

function treeRss(pid: number): number {
  let total = 0;
  eachInTree(pid, (status) => (total += Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) * 1024));
  return total;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  eachInTree(pid, (_status, stat) => {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  });
  return ticks / TICKS_PER_SECOND;
}

/** Resolves once `url` answers; over HTTPS without checking the certificate. */
async function probe(url: URL): Promise<void> {
  if (url.protocol === "http:") {
    await (await fetch(url, { signal: AbortSignal.timeout(1000) })).arrayBuffer();
    return;
  }
  const { get } = await import("node:https");
  await new Promise<void>((answered, failed) => {
    const request = get(url, { rejectUnauthorized: false, timeout: 1000 }, (response) => {
      response.resume();
      response.once("end", answered);
    });
    request.once("error", failed);
    request.once("timeout", () => request.destroy(new Error("timeout")));
  });
}

/** Starts a server pinned to its cores and waits until it answers. */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = await freePort();
  const [command, ...args] = spec.command;
  const child = spawn("taskset", ["-c", spec.cpus ?? "0", command, ...args], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", NO_COLOR: "1", ...spec.env },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const scheme = spec.https ? "https" : "http";
  const url = new URL(`${scheme}://127.0.0.1:${port}${spec.readyPath ?? "/"}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited early:\n${stderr}`);
    try {
      await probe(url);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${spec.name} did not answer ${url} in 30 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: new URL(`${scheme}://127.0.0.1:${port}/`),
    pid: child.pid!,
    rss: () => treeRss(child.pid!),
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    async stop() {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* already gone */ }
      await exited;
    },
  };
}

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSec: number;
  bytesPerSec: number;
  socketErrors: number;
  non2xx3xx: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : unit === "m" ? n * 60000 : n;
}
function toBytes(value: string, unit: string): number {
  const n = Number(value);
  const scale: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
  return n * (scale[unit] ?? 1);
}

/** Options of {@linkcode wrk}. */
export interface WrkOptions {
  seconds?: number;
  connections?: number;
  threads?: number;
  /** Cores wrk may use (default "1"). */
  cpus?: string;
  headers?: Record<string, string>;
  /** A Lua script path (for mixes, POST bodies). */
  script?: string;
  timeoutSeconds?: number;
}

/** Drives a URL with wrk and parses its report. */
export function wrk(url: URL | string, options: WrkOptions = {}): Promise<WrkResult> {
  const args = [
    "-c",
    options.cpus ?? "1",
    "wrk",
    `-t${options.threads ?? 1}`,
    `-c${options.connections ?? 50}`,
    `-d${options.seconds ?? 5}s`,
    `--timeout`,
    `${options.timeoutSeconds ?? 10}s`,
    "--latency",
    ...Object.entries(options.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    ...(options.script ? ["-s", options.script] : []),
    String(url),
  ];
  return new Promise((done, fail) => {
    const child = spawn("taskset", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    child.once("error", fail);
    child.once("exit", (code) => {
      const rps = out.match(/Requests\/sec:\s+([\d.]+)/);
      if (code !== 0 || !rps) return fail(new Error(`wrk failed (${code}):\n${out}`));
      const transfer = out.match(/Transfer\/sec:\s+([\d.]+)(\w+)/);
      const errors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      const p50 = out.match(/^\s+50%\s+([\d.]+)(\w+)/m);
      const p99 = out.match(/^\s+99%\s+([\d.]+)(\w+)/m);
      done({
        requestsPerSec: Number(rps[1]),
        bytesPerSec: transfer ? toBytes(transfer[1], transfer[2]) : 0,
        socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
        non2xx3xx: Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0),
        latencyP50Ms: p50 ? toMs(p50[1], p50[2]) : 0,
        latencyP99Ms: p99 ? toMs(p99[1], p99[2]) : 0,
        requests: Number(out.match(/(\d+) requests in/)?.[1] ?? 0),
      });
    });
  });
}

/** Options of {@linkcode compare}. */
export interface CompareOptions {
  /** Path to request (default "/"). */
  path?: string;
  /** Seconds per measured round (default from BENCH_SECONDS, else 5). */
  seconds?: number;
  /** Rounds per case; the median is reported (default from BENCH_ROUNDS, else 3). */
  rounds?: number;
  /** Seconds of warm-up per case before measuring (default 2). */
  warmup?: number;
  connections?: number;
  headers?: Record<string, string>;
  /** A wrk Lua script (bench/scripts/), e.g. one that picks a random path per request. */
  script?: string;
  /** The script of the warm-up, when it differs (e.g. one pass over every path first). */
  warmupScript?: string;
  /** Report each server's RSS after its rounds (rows get `rssRounds`). */
  rss?: boolean;
}

/** One line of a comparison. */
export interface CompareRow {
  name: string;
  /** Median of the rounds. */
  requestsPerSec: number;
  /** Median of the per-round ratios to the baseline (the first row). */
  ratio: number;
  rounds: number[];
  /** The server's CPU time per request in each round, in µs (user + system, whole process tree). */
  cpuRounds?: number[];
  /**
   * Median of the per-round ratios of the baseline's CPU time per request to
   * this row's: the throughput ratio the server alone would reach if it were
   * the only bottleneck, which stays put when the machine slows the client.
   */
  cpuRatio?: number;
  /** The server's resident set size after each round, in MiB (whole process tree). */
  rssRounds?: number[];
  errors: number;
}

const envNumber = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;

/**
 * Measures each server in alternating rounds; the first spec is the baseline.
 * All servers run at once (each idle while another is measured) so the rounds
 * interleave without restart noise.
 */
export async function compare(specs: ServerSpec[], options: CompareOptions = {}): Promise<CompareRow[]> {
  ensureTools("wrk", "taskset");
  const seconds = options.seconds ?? envNumber("BENCH_SECONDS", 5);
  const rounds = options.rounds ?? envNumber("BENCH_ROUNDS", 3);
  const warmup = options.warmup ?? Math.min(2, seconds);
  const servers: RunningServer[] = [];
  try {
    for (const spec of specs) servers.push(await startServer(spec));
    const samples: number[][] = specs.map(() => []);
    const cpu: number[][] = specs.map(() => []);
    const rss: number[][] = specs.map(() => []);
    const errors: number[] = specs.map(() => 0);
    for (const [i, server] of servers.entries()) {
      await wrk(new URL(options.path ?? "/", server.url), {
        seconds: warmup,
        connections: options.connections,
        headers: options.headers,
        script: options.warmupScript ?? options.script,
      });
      void i;
    }
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const cpuBefore = server.cpuSeconds();
        const result = await wrk(new URL(options.path ?? "/", server.url), {
          seconds,
          connections: options.connections,
          headers: options.headers,
          script: options.script,
        });
        samples[i].push(result.requestsPerSec);
        rss[i].push(server.rss() / 1024 / 1024);
        cpu[i].push((server.cpuSeconds() - cpuBefore) * 1e6 / Math.max(1, result.requests));
        errors[i] += result.socketErrors + result.non2xx3xx;
      }
    }
    return rowsOf(specs, samples, cpu, (i) => ({ rssRounds: options.rss ? rss[i] : undefined, errors: errors[i] }));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * The rows of a run whose rounds are in: each server's figures per round
 * (`samples`) and CPU µs per request (`cpu`), both as ratios to the first
 * server's, paired by round; `extra` adds a row's own fields.
 */
export function rowsOf(
  specs: readonly ServerSpec[],
  samples: number[][],
  cpu: number[][],
  extra: (index: number) => Partial<CompareRow> = () => ({ errors: 0 }),
): CompareRow[] {
  const rows: CompareRow[] = specs.map((spec, i) => ({
    name: spec.name,
    requestsPerSec: median(samples[i]),
    ratio: 1,
    rounds: samples[i],
    cpuRounds: cpu[i],
    cpuRatio: median(cpu[0].map((baseline, round) => baseline / cpu[i][round])),
    errors: 0,
    ...extra(i),
  }));
  for (const row of rows) row.ratio = pairedRatio(row, rows[0]);
  return rows;
}

/**
 * How `row`'s CPU time per request compares with `baseline`'s from the same
 * run: the median over rounds of baseline's µs/request divided by `row`'s
 * (above 1: `row` spends less per request).
 */
export function pairedCpuRatio(row: CompareRow, baseline: CompareRow): number {
  return median(row.cpuRounds!.map((cpu, round) => baseline.cpuRounds![round] / cpu));
}

/**
 * How `row` compares with `baseline` from the same {@linkcode compare} run:
 * the median over rounds of `row`'s figure divided by `baseline`'s.
 */
export function pairedRatio(row: CompareRow, baseline: CompareRow): number {
  return median(row.rounds.map((value, round) => value / baseline.rounds[round]));
}

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One target checked by a bench: `ratio >= min`. */
export interface Target {
  label: string;
  ratio: number;
  min: number;
}

/**
 * Prints the tables, any notes and the targets, writes bench/results/<name>.json and .txt, and sets
 * a non-zero exit code when a target is missed (unless BENCH_NO_FAIL=1).
 */
export function report(
  name: string,
  tables: Record<string, CompareRow[]>,
  targets: Target[] = [],
  notes: string[] = [],
): void {
  const lines: string[] = [
    `# ${name}  (${new Date().toISOString()}, ${process.env.BENCH_SECONDS ?? 5} s × ${
      process.env.BENCH_ROUNDS ?? 3
    } rounds)`,
  ];
  for (const [title, rows] of Object.entries(tables)) {
    lines.push(`\n## ${title}`);
    for (const row of rows) {
      lines.push(
        `${row.name.padEnd(40)} ${row.requestsPerSec.toFixed(0).padStart(9)} req/s  ratio ${row.ratio.toFixed(3)}` +
          `  rounds [${row.rounds.map((r) => r.toFixed(0)).join(", ")}]` +
          (row.cpuRounds?.length
            ? `  cpu ${median(row.cpuRounds).toFixed(2)} µs/req ratio ${row.cpuRatio?.toFixed(3)}`
            : "") +
          (row.rssRounds?.length ? `  rss ${Math.max(...row.rssRounds).toFixed(0)} MiB` : "") +
          (row.errors ? `  errors ${row.errors}` : ""),
      );
    }
  }
  if (notes.length) lines.push("", ...notes);
  let missed = 0;
  if (targets.length) lines.push("\n## targets");
  for (const target of targets) {
    const ok = target.ratio >= target.min;
    if (!ok) missed++;
    lines.push(`${ok ? "PASS" : "MISS"}  ${target.label}: ${target.ratio.toFixed(3)} (target ≥ ${target.min})`);
  }
  console.log(lines.join("\n"));
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  writeFileSync(
    join(root, "bench", "results", `${name}.json`),
    JSON.stringify({ name, tables, targets, notes }, null, 2),
  );
  writeFileSync(join(root, "bench", "results", `${name}.txt`), lines.join("\n") + "\n");
  if (missed && process.env.BENCH_NO_FAIL !== "1") process.exitCode = 1;
}

/** Which runtimes to run: BENCH_RUNTIMES=deno,bun (default all given). */
export function selectedRuntimes(all: Runtime[]): Runtime[] {
  const chosen = process.env.BENCH_RUNTIMES?.split(",") as Runtime[] | undefined;
  return chosen ? all.filter((r) => chosen.includes(r)) : all;
}
