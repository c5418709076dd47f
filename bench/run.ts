/**
 * `npm run bench`: every benchmark in turn, each in its own process, with the
 * same knobs (BENCH_RUNTIMES, BENCH_SECONDS, BENCH_ROUNDS). The soak is long
 * (60 s per runtime) and runs only with BENCH_SOAK=1. Each bench prints its
 * table and targets and writes bench/results/<name>.txt; this runner ends
 * with every target line, and exits non-zero when one was missed.
 *
 * Run: node bench/run.ts [names...]   e.g. node bench/run.ts compose static
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, root } from "./_lib/bench.ts";

const all = [
  "compose",
  "hello",
  "overhead",
  "dispatch",
  "static",
  "middleware",
  "middleware_idle",
  "compress",
  "bridge",
  "https",
  "websocket",
];
if (process.env.BENCH_SOAK === "1") all.push("soak");
const chosen = process.argv.slice(2);
const names = chosen.length > 0 ? chosen : all;
let failed = 0;
const summary: string[] = [];
for (const name of names) {
  console.log(`\n=== bench/${name}.ts`);
  const result = spawnSync(bin("node"), [join(root, "bench", `${name}.ts`)], { stdio: "inherit", cwd: root });
  if (result.status !== 0) failed++;
  try {
    const text = readFileSync(join(root, "bench", "results", `${name}.txt`), "utf8");
    summary.push(...text.split("\n").filter((line) => /^(PASS|MISS) /.test(line)).map((line) => `${name}: ${line}`));
  } catch {
    summary.push(`${name}: no results written`);
  }
}
console.log(`\n=== targets\n${summary.join("\n")}`);
process.exitCode = failed > 0 ? 1 : 0;
