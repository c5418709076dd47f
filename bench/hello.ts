/**
 * The serving cost: hello world through `serve()` + a 3-entry `mount`
 * vs the bare runtime server (Deno.serve, Bun.serve, raw node:http) and vs a
 * Hono app, in the same run, on each runtime. Targets: ≥ 0.97 of bare on Deno
 * and Bun, ≥ 0.90 of raw node:http on Node, and ≥ Hono's figure.
 *
 * On Node a fourth row, the "fetch floor", is node:http doing only what any
 * bridge to genuine Fetch objects must (build the Request, read the handler's
 * Response): it shows how much of the gap to raw node:http is the cost of
 * undici's Request/Response themselves, which @hono/node-server avoids by
 * replacing the global Request and Response with lighter look-alikes. On Deno
 * and Bun the fourth row, the "url floor", is the bare server reading
 * `request.url` once, which any router must: the ceiling for dispatch by path.
 * Each ratio is the median of per-round ratios (see bench/_lib/bench.ts); the
 * CPU-time ratio beside it is printed too.
 *
 * Then `workers: 2` vs 1, both allowed both cores (wrk shares core 1 with
 * them, so on a 2-core machine this is reported, not targeted).
 *
 * Run: node bench/hello.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { compare, type CompareRow, pairedRatio, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";

const tables: Record<string, CompareRow[]> = {};
const targets: Target[] = [];
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  const rows = await compare([
    { name: `${runtime}: bare server`, command: runOn(runtime, "bench/servers/bare.ts") },
    { name: `${runtime}: serve(mount(3 entries))`, command: runOn(runtime, "bench/hello_server.ts", "fetchkit") },
    {
      name: `${runtime}: hono${runtime === "node" ? " (@hono/node-server)" : ""}`,
      command: runOn(runtime, "bench/hello_server.ts", "hono"),
    },
    // On Node, the most a bridge keeping the real global Request/Response can reach; on Deno and Bun,
    // the most any router can reach (it must read the URL once).
    runtime === "node"
      ? {
        name: "node: fetch floor (node:http + Request/Response)",
        command: runOn(runtime, "bench/hello_server.ts", "fetch-floor"),
      }
      : {
        name: `${runtime}: url floor (bare + one request.url)`,
        command: runOn(runtime, "bench/hello_server.ts", "url-floor"),
      },
  ]);
  tables[runtime] = rows;
  targets.push({ label: `${runtime} serve+mount vs bare`, ratio: rows[1].ratio, min: runtime === "node" ? 0.9 : 0.97 });
  targets.push({
    label: `${runtime} serve+mount vs hono`,
    ratio: pairedRatio(rows[1], rows[2]),
    min: 1,
  });
  if (runtime !== "node") {
    targets.push({
      label: `${runtime} url floor vs bare (upper bound of serve+mount)`,
      ratio: rows[3].ratio,
      min: 0.97,
    });
  }

  const multi = await compare([
    {
      name: `${runtime}: workers 1 (cores 0,1)`,
      command: runOn(runtime, "bench/hello_server.ts", "fetchkit"),
      cpus: "0,1",
    },
    {
      name: `${runtime}: workers 2 (cores 0,1)`,
      command: runOn(runtime, "bench/hello_server.ts", "fetchkit-w2"),
      cpus: "0,1",
    },
  ]);
  tables[`${runtime} workers`] = multi;
}
report("hello", tables, targets);
