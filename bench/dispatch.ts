/**
 * The dispatch cost: calls per second of `mount()` with 10, 1,000 and
 * 100,000 prefixes, in process (no sockets: what is measured is dispatch
 * itself), and the same tables as Hono routes (`app.all("/pN/*")`) in the
 * same run. Target: 100,000 prefixes within 1.3× of 10 (ratio ≥ 0.77).
 *
 * Every case runs in a fresh child process (`--child N`) so no other case's
 * table weighs on the garbage collector; the cases are run in alternating
 * rounds (A B C … A B C …, median taken) so drift on a shared machine hits
 * every case alike. Construction time (and Hono's first-request router
 * compilation) is printed beside each case.
 *
 * Run: node bench/dispatch.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { execFileSync } from "node:child_process";
import { Hono } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { type CompareRow, median, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";
import { mount } from "../src/dispatch/mod.ts";
import type { Handler } from "../src/handler.ts";

const sizes = [10, 1_000, 100_000];
/** Requests cycled through per case (each its own Request object, as a server would have). */
const requestsPerCase = 64;
/**
 * Distinct prefixes those requests hit: the same number in every case (spread
 * over the whole table), so the cases differ in the size of the table only,
 * not in how many entries are hot in the CPU's caches.
 */
const hotPrefixes = 10;

interface Case {
  name: string;
  size: number;
  build(): Handler;
  /** Built instead when `build()`'s handler throws on its first request. */
  fallback?: () => Handler;
}

/** Names of one width, so only the table's size differs between cases, not the length of the names. */
const name = (i: number) => `/p${String(i).padStart(6, "0")}`;

function prefixes(size: number): string[] {
  return Array.from({ length: size }, (_, i) => name(i));
}

function requestsFor(size: number): Request[] {
  const hot = Array.from({ length: hotPrefixes }, (_, i) => name(Math.floor(((i + 0.5) * size) / hotPrefixes)));
  return Array.from(
    { length: requestsPerCase },
    (_, i) => new Request(`http://localhost${hot[i % hotPrefixes]}/users/42?tab=1`),
  );
}

async function measure(app: Handler, requests: Request[], ms: number): Promise<number> {
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 4096; i++) {
      const response = await app(requests[i & (requestsPerCase - 1)]);
      if (response.status !== 200) throw new Error(`unexpected ${response.status}`);
    }
    calls += 4096;
    elapsed = performance.now() - started;
  }
  return (calls / elapsed) * 1000;
}

function cases(): Case[] {
  const ok = new Response("ok");
  const handler: Handler = () => ok;
  const list: Case[] = [];
  for (const size of sizes) {
    list.push({
      name: `mount, ${size.toLocaleString("en")} prefixes`,
      size,
      build: () => mount(Object.fromEntries(prefixes(size).map((prefix) => [prefix, handler]))),
    });
  }
  for (const size of sizes) {
    list.push({
      name: `hono, ${size.toLocaleString("en")} routes`,
      size,
      build: () => {
        const app = new Hono();
        for (const prefix of prefixes(size)) app.all(`${prefix}/*`, () => ok);
        return (request) => app.fetch(request);
      },
      fallback: () => {
        const app = new Hono({ router: new TrieRouter() });
        for (const prefix of prefixes(size)) app.all(`${prefix}/*`, () => ok);
        return (request) => app.fetch(request);
      },
    });
  }
  return list;
}

/** One case in a fresh process, so no other case's table weighs on the garbage collector. */
async function child(index: number): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5) || 5;
  const item = cases()[index];
  const requests = requestsFor(item.size);
  const started = performance.now();
  let app = item.build();
  let name = item.name;
  try {
    await app(requests[0]); // Hono compiles its router on the first request
  } catch (error) {
    if (!item.fallback) throw error;
    // Hono's default router builds one RegExp of every route; past some size the engine refuses it.
    name += ` (TrieRouter: the default router threw ${(error as Error).name})`;
    app = item.fallback();
    await app(requests[0]);
  }
  const buildMs = performance.now() - started;
  await measure(app, requests, Math.min(1000, seconds * 300)); // warm-up
  const callsPerSec = await measure(app, requests, seconds * 1000);
  console.log(JSON.stringify({ name, buildMs, callsPerSec }));
}

const childAt = process.argv.indexOf("--child");
if (childAt >= 0) {
  await child(Number(process.argv[childAt + 1]));
} else {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3) || 3;
  const count = cases().length;
  const tables: Record<string, CompareRow[]> = {};
  const targets: Target[] = [];
  for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
    const samples: number[][] = Array.from({ length: count }, () => []);
    const names: string[] = [];
    const builds: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let index = 0; index < count; index++) {
        const [command, ...args] = runOn(runtime, "bench/dispatch.ts", "--child", String(index));
        const output = execFileSync(command, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
        const result = JSON.parse(output.trim().split("\n").at(-1)!) as {
          name: string;
          buildMs: number;
          callsPerSec: number;
        };
        samples[index].push(result.callsPerSec);
        names[index] = result.name;
        builds[index] = result.buildMs;
      }
    }
    const baseline = median(samples[0]);
    tables[runtime] = samples.map((rounds, index) => ({
      name: `${runtime}: ${names[index]} (built in ${builds[index].toFixed(0)} ms)`,
      requestsPerSec: median(rounds),
      ratio: median(rounds) / baseline,
      rounds,
      errors: 0,
    }));
    targets.push({
      label: `${runtime} mount 100,000 vs 10 prefixes`,
      ratio: median(samples[sizes.length - 1]) / baseline,
      min: 0.769, // 1 / 1.3
    });
  }
  report("dispatch", tables, targets);
}
