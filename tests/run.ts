/**
 * `npm test`: the same test files on Deno, Bun and Node 24, the portable ones
 * again inside workerd, then type-check, lint, format, doc-lint, the
 * examples in JSDoc and the README, the import rules, the publish dry run
 * and the packed package as a user installs it (tests/consumer.ts). Ends with one line `N passed, N failed` over everything;
 * any failure exits non-zero and names the runtime or check that failed.
 *
 * Usage: node tests/run.ts [--only deno,bun,node,workerd,checks] [filter]
 * Full logs of each layer go to .test-out/<layer>.log.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname ?? ".", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const out = join(root, ".test-out");
mkdirSync(out, { recursive: true });

interface Count {
  passed: number;
  failed: number;
  skipped: number;
}
interface Layer {
  name: string;
  command: string;
  args: string[];
  /** Reads the runner's own summary; `undefined` when it printed none. */
  count(output: string): Count | undefined;
  /** Names of failed tests, for the report. */
  failures(output: string): string[];
}

// deno-lint-ignore no-control-regex -- ANSI colour codes are exactly what is stripped
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");
const num = (text: string, pattern: RegExp) => Number(text.match(pattern)?.[1] ?? 0);
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf("--only");
const only = onlyAt >= 0 ? argv[onlyAt + 1]?.split(",") : undefined;
/** Test files named on the command line (all of tests/ when none). */
const filter = argv.filter((arg, i) => !arg.startsWith("--") && i !== onlyAt + 1);
const testFiles = filter.length > 0 ? filter : ["tests/"];

const layers: Layer[] = [
  {
    name: "node",
    command: bin("node"),
    args: [
      "--test",
      "--test-reporter=tap",
      "--test-concurrency=1",
      ...(filter.length ? filter : ["tests/**/*.test.ts"]),
    ],
    count: (o) =>
      /# pass \d+/.test(o)
        ? {
          passed: num(o, /# pass (\d+)/),
          failed: num(o, /# fail (\d+)/) + num(o, /# cancelled (\d+)/),
          skipped: num(o, /# skipped (\d+)/),
        }
        : undefined,
    failures: (o) => [...o.matchAll(/^\s*not ok \d+ - (.+)$/gm)].map((m) => m[1]),
  },
  {
    name: "deno",
    command: bin("deno"),
    args: ["test", "-A", "--no-check", "--quiet", ...testFiles],
    count: (o) =>
      /\| \d+ passed/.test(o)
        ? { passed: num(o, /\| (\d+) passed/), failed: num(o, /\| (\d+) failed/), skipped: num(o, /\| (\d+) ignored/) }
        : undefined,
    failures: (o) => [...o.matchAll(/^(.+?) \.\.\. FAILED/gm)].map((m) => m[1]),
  },
  {
    name: "bun",
    command: bin("bun"),
    args: ["test", ...testFiles.map((f) => (f.startsWith(".") ? f : `./${f}`))],
    count: (o) =>
      /^\s*\d+ pass$/m.test(o)
        ? {
          passed: num(o, /^\s*(\d+) pass$/m),
          failed: num(o, /^\s*(\d+) fail$/m),
          skipped: num(o, /^\s*(\d+) skip$/m),
        }
        : undefined,
    failures: (o) => [...o.matchAll(/^\(fail\) (.+?)(?: \[[\d.]+m?s\])?$/gm)].map((m) => m[1]),
  },
  {
    name: "workerd",
    command: bin("node"),
    args: ["tests/workers/run.ts"],
    count: (o) =>
      /^workerd: \d+ passed/m.test(o)
        ? {
          passed: num(o, /^workerd: (\d+) passed/m),
          failed: num(o, /^workerd: \d+ passed, (\d+) failed/m),
          skipped: 0,
        }
        : undefined,
    failures: (o) => [...o.matchAll(/^not ok - (.+)$/gm)].map((m) => m[1]),
  },
];

/** The module of every entry point (deno.json's exports, the same names as package.json's). */
const entryPoints = [
  ...new Set([
    "mod.ts",
    "mod.workerd.ts",
    ...Object.values(JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<string, string>),
  ]),
].map((path) => path.replace(/^\.\//, ""));

/** Checks count as one test each: a check is passed or failed as a whole. */
const checks: { name: string; command: string; args: string[] }[] = [
  {
    name: "deno check",
    command: bin("deno"),
    args: [
      "check",
      "--quiet",
      "mod.ts",
      "mod.workerd.ts",
      "serve.ts",
      "src/",
      "tests/",
      "examples/",
      "bench/",
      "scripts/",
    ],
  },
  { name: "tsc --noEmit (Node types)", command: bin("tsc"), args: ["-p", "tsconfig.json"] },
  { name: "deno lint", command: bin("deno"), args: ["lint", "--quiet"] },
  { name: "deno fmt --check", command: bin("deno"), args: ["fmt", "--check", "--quiet"] },
  { name: "deno doc --lint (every entry point)", command: bin("deno"), args: ["doc", "--lint", ...entryPoints] },
  {
    name: "deno check --doc-only (every @example)",
    command: bin("deno"),
    args: ["check", "--quiet", "--doc-only", "mod.ts", "mod.workerd.ts", "src/"],
  },
  {
    name: "README: every ts block type-checks, the serving ones answer",
    command: bin("node"),
    args: ["tests/readme.ts"],
  },
  {
    name: "import rules (dependency-cruiser)",
    command: bin("depcruise"),
    args: ["src", "mod.ts", "mod.workerd.ts", "serve.ts", "--output-type", "err"],
  },
  { name: "runtime globals only in adapters", command: bin("node"), args: ["scripts/check-runtime-globals.ts"] },
  { name: "deno publish --dry-run", command: bin("deno"), args: ["publish", "--dry-run", "--allow-dirty", "--quiet"] },
  // The registry reachable here lacks other platforms' runtime binaries; `npm ci` rejects a lock without them.
  { name: "npm ci --dry-run (lockfile in sync)", command: "npm", args: ["ci", "--dry-run", "--ignore-scripts"] },
  {
    name: "the package as a user installs it (bin, entry points, Workers bundle, publint, attw)",
    command: bin("node"),
    args: ["tests/consumer.ts"],
  },
];

/** A layer still running after this long is hung (the whole suite takes ~1 min per runtime): stop it, fail it. */
const LAYER_DEADLINE_MS = 10 * 60_000;

function run(command: string, args: string[], log: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", CI: process.env.CI ?? "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a hung runner is stopped with everything it started
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\nstopped: still running after ${LAYER_DEADLINE_MS / 60_000} min (hung?)\n`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* already gone */ }
    }, LAYER_DEADLINE_MS);
    child.once("error", (error) => done({ code: 127, output: String(error) }));
    child.once("close", (code) => {
      clearTimeout(timer);
      output = strip(output);
      writeFileSync(join(out, log), output);
      done({ code: code ?? 1, output });
    });
  });
}

const total: Count = { passed: 0, failed: 0, skipped: 0 };
const failedLayers: string[] = [];
const started = Date.now();

for (const layer of layers) {
  if (only && !only.includes(layer.name)) continue;
  const t0 = Date.now();
  const { code, output } = await run(layer.command, layer.args, `${layer.name}.log`);
  let count = layer.count(output);
  if (!count) count = { passed: 0, failed: 1, skipped: 0 }; // a runner that printed no summary crashed
  if (code !== 0 && count.failed === 0) count.failed = 1; // non-zero exit with no counted failure
  if (count.passed + count.failed === 0 && filter.length === 0) count.failed = 1; // a layer that ran no test is broken
  total.passed += count.passed;
  total.failed += count.failed;
  total.skipped += count.skipped;
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`${layer.name}: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped (${seconds} s)`);
  if (count.failed > 0) {
    failedLayers.push(layer.name);
    const names = layer.failures(output);
    for (const name of names) console.log(`  FAILED on ${layer.name}: ${name}`);
    if (names.length === 0) console.log(output.split("\n").slice(-40).map((l) => `  | ${l}`).join("\n"));
    console.log(`  full log: .test-out/${layer.name}.log`);
  }
}

for (const check of checks) {
  if (only && !only.includes("checks")) continue;
  if (filter.length > 0) break;
  const t0 = Date.now();
  const { code, output } = await run(check.command, check.args, `${check.name.replace(/\W+/g, "_")}.log`);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (code === 0) {
    total.passed++;
    console.log(`check ${check.name}: passed (${seconds} s)`);
  } else {
    total.failed++;
    failedLayers.push(check.name);
    console.log(`check ${check.name}: FAILED (${seconds} s)`);
    console.log(output.split("\n").slice(-40).map((l) => `  | ${l}`).join("\n"));
  }
}

const minutes = ((Date.now() - started) / 60000).toFixed(1);
if (failedLayers.length > 0) console.log(`failed on: ${[...new Set(failedLayers)].join(", ")} (${minutes} min)`);
else console.log(`all layers green (${minutes} min, ${total.skipped} skipped)`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed > 0 ? 1 : 0;
