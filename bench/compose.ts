/**
 * The layer cost: fetchkit `compose()` of three pass-through middleware
 * around a hello handler, served by `serve()`, vs the bare runtime server, in the
 * same run. Target ≥ 0.97 on Deno and Bun (≥ 0.90 on Node, whose fetch bridge
 * is measured against raw node:http).
 *
 * Run: node bench/compose.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { compare, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";

const tables: Record<string, Awaited<ReturnType<typeof compare>>> = {};
const targets: Target[] = [];
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  const rows = await compare([
    { name: `${runtime}: bare server`, command: runOn(runtime, "bench/servers/bare.ts") },
    { name: `${runtime}: serve(compose(3 × pass-through))`, command: runOn(runtime, "bench/servers/compose.ts") },
  ]);
  tables[runtime] = rows;
  targets.push({ label: `${runtime} compose vs bare`, ratio: rows[1].ratio, min: runtime === "node" ? 0.9 : 0.97 });
}
report("compose", tables, targets);
