/**
 * The Workers layer of `npm test`: bundles every test file marked `// @workerd`
 * (on a line of its own) into one Worker, serves it with a real workerd on
 * 127.0.0.1, runs the tests over real HTTP, prints one line per test and
 * `workerd: N passed, N failed`, and stops workerd. Tests inside those files
 * that need a filesystem or sockets are marked `{ skip: ["workerd"] }`.
 *
 * Usage: node tests/workers/run.ts [test files...]
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { startWorkerd } from "../_lib/workerd.ts";

const here = import.meta.dirname ?? ".";
const testsDir = join(here, "..");
const named = process.argv.slice(2);
const files = (named.length > 0 ? named.map((f) => join(process.cwd(), f)) : readdirSync(testsDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => join(testsDir, f)))
  .filter((file) => /^\/\/ @workerd$/m.test(readFileSync(file, "utf8")))
  .sort();
const entry = join(here, ".suite_entry.ts");
writeFileSync(
  entry,
  [`export { default } from "./suite_worker.ts";`, ...files.map((f) => `import "./${relative(here, f)}";`)].join("\n"),
);
let workerd;
try {
  workerd = await startWorkerd(relative(join(here, "../.."), entry));
} finally {
  rmSync(entry, { force: true });
}
let passed = 0;
let failed = 0;
try {
  const response = await fetch(new URL("/run", workerd.url));
  if (!response.ok) throw new Error(`suite worker answered ${response.status}: ${await response.text()}`);
  const results = await response.json() as { name: string; ok: boolean; error?: string }[];
  for (const result of results) {
    if (result.ok) {
      passed++;
      console.log(`ok - ${result.name}`);
    } else {
      failed++;
      console.log(`not ok - ${result.name}\n${result.error}`);
    }
  }
} catch (error) {
  failed++;
  console.log(`not ok - workers suite\n${error}\n${workerd.output()}`);
} finally {
  await workerd.close();
}
console.log(`workerd: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
