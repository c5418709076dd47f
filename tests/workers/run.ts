/**
 * The Workers layer of `npm test`: bundles the portable test files into a
 * Worker, serves it with a real workerd on 127.0.0.1, runs them over real HTTP,
 * prints one line per test and `workerd: N passed, N failed`, and stops workerd.
 */
import { startWorkerd } from "../_lib/workerd.ts";

const workerd = await startWorkerd("tests/workers/suite_worker.ts");
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
