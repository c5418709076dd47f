/**
 * The middleware overhead: hello with `profile()` + `logger()` (Combined Log Format
 * to stderr, redirected to /dev/null) vs the same hello without middleware,
 * both served by fetchkit's `serve()` in the same run. Target ≥ 0.90.
 *
 * The "floor" row is a hello that does only what those two middleware cannot
 * avoid, with no middleware code: two clock reads, the client address and the
 * URL, the two request headers a Combined line needs (Referer, User-Agent),
 * the Server-Timing header the profiler must add, and the response's
 * Content-Length. No profile + logger can beat that row; formatting and
 * writing the line, and the statistics, come on top.
 *
 * Run: node bench/middleware.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { compare, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";

/** The logger writes to the process's real stderr, as in production; here that is /dev/null. */
const quiet = (command: string[]) => ["sh", "-c", 'exec "$@" 2>/dev/null', "sh", ...command];

const tables: Record<string, Awaited<ReturnType<typeof compare>>> = {};
const targets: Target[] = [];
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  const rows = await compare([
    { name: `${runtime}: serve(hello)`, command: quiet(runOn(runtime, "bench/middleware_server.ts", "plain")) },
    {
      name: `${runtime}: serve(profile+logger(hello))`,
      command: quiet(runOn(runtime, "bench/middleware_server.ts", "profiled")),
    },
    {
      name: `${runtime}: serve(hello touching those headers) (floor)`,
      command: quiet(runOn(runtime, "bench/middleware_server.ts", "floor")),
    },
    // The breakdown, for whoever tunes it: each middleware alone.
    {
      name: `${runtime}: serve(profile(hello))`,
      command: quiet(runOn(runtime, "bench/middleware_server.ts", "profile")),
    },
    {
      name: `${runtime}: serve(logger(hello))`,
      command: quiet(runOn(runtime, "bench/middleware_server.ts", "logger")),
    },
  ]);
  tables[runtime] = rows;
  targets.push({ label: `${runtime} profile+logger vs bare serve`, ratio: rows[1].ratio, min: 0.9 });
  // The bound on the line above: where the floor misses 0.90, no profile + logger can make it.
  targets.push({ label: `${runtime} floor vs bare serve (upper bound of the above)`, ratio: rows[2].ratio, min: 0.9 });
}
report("middleware", tables, targets);
