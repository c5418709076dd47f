/**
 * WebSocket echo through fetchkit vs the bare runtime's own WebSocket server,
 * in the same run, on each runtime: `serve()` of a handler calling
 * `upgradeWebSocket()` vs `Deno.upgradeWebSocket` on `Deno.serve`, `Bun.serve`
 * with `websocket` handlers, and the `ws` package on `node:http`
 * (bench/websocket_server.ts). Target: ≥ 0.95 of bare on each runtime.
 *
 * The load is bench/_lib/ws_load.ts (a `ws` client on Node, pinned to core 1;
 * the server on core 0): `BENCH_WS_CONNECTIONS` sockets each keeping
 * `BENCH_WS_DEPTH` messages of `BENCH_WS_SIZE` bytes in flight. The figure is
 * echoed messages per second; each ratio is the median of per-round ratios,
 * each round against the bare server's round just before it (see
 * bench/_lib/bench.ts), with the server's CPU time per message beside it.
 * When the client is the bottleneck the throughput ratio reads 1 whatever
 * the server costs, and the CPU ratio is the one that tells.
 *
 * Run: node bench/websocket.ts
 *   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_WS_CONNECTIONS=16 BENCH_WS_DEPTH=16 BENCH_WS_SIZE=32)
 */
import { spawn } from "node:child_process";
import {
  bin,
  type CompareRow,
  ensureTools,
  report,
  root,
  rowsOf,
  type RunningServer,
  runOn,
  selectedRuntimes,
  startServer,
  type Target,
} from "./_lib/bench.ts";

const envNumber = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;
const seconds = envNumber("BENCH_SECONDS", 5);
const rounds = envNumber("BENCH_ROUNDS", 3);
const connections = envNumber("BENCH_WS_CONNECTIONS", 16);
const depth = envNumber("BENCH_WS_DEPTH", 16);
const size = envNumber("BENCH_WS_SIZE", 32);

/** One window of load against `server`: echoed messages per second. */
function load(server: RunningServer, windowSeconds: number): Promise<number> {
  const url = server.url.href.replace(/^http/, "ws");
  const args = ["-c", "1", bin("node"), "bench/_lib/ws_load.ts", url, String(windowSeconds)];
  args.push(String(connections), String(depth), String(size));
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`ws_load exited ${code}: ${err}`));
      const { messages, seconds: measured } = JSON.parse(out.trim().split("\n").pop()!);
      resolve(messages / measured);
    });
  });
}

/** The bare server and fetchkit's on one runtime, in alternating rounds. */
async function compareEcho(runtime: "deno" | "bun" | "node"): Promise<CompareRow[]> {
  const specs = [
    { name: `${runtime}: bare WebSocket server`, command: runOn(runtime, "bench/websocket_server.ts", "bare") },
    { name: `${runtime}: serve(upgradeWebSocket)`, command: runOn(runtime, "bench/websocket_server.ts", "fetchkit") },
  ];
  const servers: RunningServer[] = [];
  try {
    for (const spec of specs) servers.push(await startServer(spec));
    for (const server of servers) await load(server, Math.min(2, seconds));
    const samples: number[][] = specs.map(() => []);
    const cpu: number[][] = specs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const cpuBefore = server.cpuSeconds();
        const perSecond = await load(server, seconds);
        samples[i].push(perSecond);
        cpu[i].push((server.cpuSeconds() - cpuBefore) * 1e6 / Math.max(1, perSecond * seconds));
      }
    }
    return rowsOf(specs, samples, cpu);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

ensureTools("taskset");
const tables: Record<string, CompareRow[]> = {};
const targets: Target[] = [];
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  const rows = await compareEcho(runtime);
  tables[runtime] = rows;
  targets.push({ label: `${runtime} serve(upgradeWebSocket) vs bare`, ratio: rows[1].ratio, min: 0.95 });
}
report("websocket", tables, targets, [
  `"req/s" above is echoed messages/s: ${connections} sockets × ${depth} in flight, ${size}-byte text messages`,
]);
