/**
 * The bridge cost: an Express hello app behind `fromNode`, served by
 * fetchkit's `serve()`, vs the same Express app on `node:http` directly, in the
 * same run. Target ≥ 0.85 on Node; Deno and Bun (through their `node:http`)
 * are measured for information when selected.
 *
 * Run: node bench/bridge.ts   (BENCH_RUNTIMES=node,deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { compare, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";

const tables: Record<string, Awaited<ReturnType<typeof compare>>> = {};
const targets: Target[] = [];
const chosen = process.env.BENCH_RUNTIMES ? selectedRuntimes(["node", "deno", "bun"]) : ["node" as const];
for (const runtime of chosen) {
  const rows = await compare([
    { name: `${runtime}: Express on node:http`, command: runOn(runtime, "bench/bridge_server.ts", "direct") },
    { name: `${runtime}: serve(fromNode(Express))`, command: runOn(runtime, "bench/bridge_server.ts", "bridged") },
  ]);
  tables[runtime] = rows;
  if (runtime === "node") targets.push({ label: "node fromNode(Express) vs Express", ratio: rows[1].ratio, min: 0.85 });
}
report("bridge", tables, targets);
