/**
 * fetchkit's own per-request work on Deno and Bun, in nanoseconds, measured
 * so that this machine's noise (whole-run swings of ±10 % or more) does not
 * drown it: each step is repeated forty times per request on a real server
 * Request (bench/servers/repeat.ts), and its cost is
 * (1/throughput − 1/bare throughput) / 40, from the same alternating run.
 *
 * - `response`: a `new Response(text)`, the reference every handler pays.
 * - `answer`: what serve() wraps around a handler (context, call, checks),
 *   with the handler's Response; minus `response` it is serve()'s own cost.
 * - `mount`: a 3-entry mount answering "/", with the Response; minus
 *   `response` it is dispatch's own cost.
 * - `url`: a repeated `request.url` read. The first read of a server Request
 *   builds the URL, which the url-floor row of bench/hello.ts measures.
 *
 * Reported, not targeted: it explains bench/hello.ts's ratios.
 *
 * Run: node bench/overhead.ts   (BENCH_RUNTIMES=deno BENCH_SECONDS=2 BENCH_ROUNDS=5)
 */
import { compare, type CompareRow, median, report, runOn, selectedRuntimes } from "./_lib/bench.ts";

const steps = ["bare", "url", "response", "answer", "mount"];
const times = 40;
const tables: Record<string, CompareRow[]> = {};
const notes: string[] = [];
for (const runtime of selectedRuntimes(["deno", "bun"])) {
  const rows = await compare(
    steps.map((step) => ({
      name: `${runtime}: ${step}`,
      command: runOn(runtime, "bench/servers/repeat.ts", step, String(times)),
    })),
  );
  tables[runtime] = rows;
  // Per round, against the bare round just before it, as the ratios are.
  const nanos = rows.map((row) =>
    median(row.rounds.map((value, round) => (1 / value - 1 / rows[0].rounds[round]) * 1e9 / times))
  );
  const [, url, response, answer, mounted] = nanos;
  notes.push(
    `${runtime}: per request, ns — url re-read ${url.toFixed(0)}, new Response ${response.toFixed(0)}, ` +
      `serve's wrapping ${(answer - response).toFixed(0)}, mount's dispatch ${(mounted - response).toFixed(0)} ` +
      `(bare request ${(1e9 / rows[0].requestsPerSec).toFixed(0)} ns)`,
  );
}
report("overhead", tables, [], notes);
