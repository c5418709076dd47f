/**
 * What a middleware with nothing to do costs: hello through `serve()` + a
 * 3-entry mount, bare and behind `cors()` on a same-origin GET (no `Origin`
 * header: nothing to add), `cors({ origin: [list] })` (adds `Vary: Origin`),
 * `secureHeaders()` (its twelve default headers) and `requestId()` (a UUID
 * per request), in the same run, on each runtime, with the floors of the
 * last two (a hello setting the same headers itself: what no middleware can
 * beat). Target: cors on a same-origin GET, the one with nothing to do,
 * costs ≤ 2 % (ratio ≥ 0.98); the others always have work (a header to add,
 * an id to make) and are reported against their floors. Each ratio is the
 * median of per-round ratios (bench/_lib/bench.ts).
 *
 * Run: node bench/middleware_idle.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { compare, type CompareRow, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";

const tables: Record<string, CompareRow[]> = {};
const targets: Target[] = [];
const notes: string[] = [];
const VARIANTS = ["cors", "cors-list", "secure", "secure-floor", "request-id", "request-id-floor"];
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  const rows = await compare([
    { name: `${runtime}: serve(hello)`, command: runOn(runtime, "bench/middleware_idle_server.ts", "plain") },
    ...VARIANTS.map((variant) => ({
      name: `${runtime}: ${variant}(hello)`,
      command: runOn(runtime, "bench/middleware_idle_server.ts", variant),
    })),
  ]);
  tables[runtime] = rows;
  const row = (variant: string) => rows[VARIANTS.indexOf(variant) + 1];
  targets.push({ label: `${runtime} cors (nothing to do) vs bare`, ratio: row("cors").ratio, min: 0.98 });
  for (const variant of ["secure", "request-id"]) {
    const floor = row(`${variant}-floor`);
    notes.push(
      `${runtime} ${variant} vs its floor: ${
        ((row(variant).cpuRatio ?? 0) / (floor.cpuRatio ?? 1)).toFixed(3)
      } CPU/request`,
    );
  }
}
for (const note of notes) console.log(note);
report("middleware_idle", tables, targets);
