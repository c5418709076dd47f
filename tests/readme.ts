/**
 * The README's TypeScript, checked as a user would run it: every ```ts block
 * is written out as a module of its own and type-checked against the public
 * entry points (`deno check`, which resolves `fetchkit`, `fetchkit/middleware`,
 * … through deno.json's imports), then every block that serves something is
 * started and answered once:
 * - a block with `export default` is served by `deno serve`;
 * - a block that calls `serve(` runs with `deno run` and must print
 *   `Listening on <url>` (then it is asked once and stopped) or end by itself
 *   with exit code 0 (it shut its server down).
 * Blocks run in a folder with a `public/` (as a reader's project has). No
 * answer may be a 5xx. Run by `npm test`; alone: node tests/readme.ts
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "./_lib/port.ts";

const root = resolve(import.meta.dirname ?? ".", "..");
const deno = join(root, "node_modules", ".bin", "deno");
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The ```ts blocks, with the line each starts on. */
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((found) => ({
  code: found[1],
  line: readme.slice(0, found.index).split("\n").length,
}));

let passed = 0;
let failed = 0;
function report(ok: boolean, name: string, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok" : "not ok"} - ${name}${ok || !detail ? "" : `\n${detail.replace(/^/gm, "  | ")}`}`);
}

function run(args: string[], ms: number): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(deno, args, { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** Starts `args`, waits for `Listening on <url>` (or `port`), asks once, stops it. */
async function serveOnce(args: string[], port: number | undefined): Promise<string | undefined> {
  const child = spawn(deno, args, { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, detached: true });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  try {
    for (let i = 0; i < 300; i++) {
      if (code !== undefined) return code === 0 ? undefined : `exited ${code}:\n${output}`;
      const listening = /Listening on (http:\/\/\S+)/.exec(output)?.[1];
      const url = listening ?? (port !== undefined ? `http://127.0.0.1:${port}/` : undefined);
      if (url !== undefined) {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
          await response.arrayBuffer();
          return response.status >= 500 ? `answered ${response.status}:\n${output}` : undefined;
        } catch { /* not up yet */ }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return `no answer within 15 s:\n${output}`;
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch { /* gone */ }
    await exited;
  }
}

// Each block as a module of the repository, so `fetchkit` resolves through deno.json.
const dir = mkdtempSync(join(root, ".readme-run-"));
const fileOf = (i: number) => join(dir, `block_${blocks[i].line}.ts`);
try {
  blocks.forEach(({ code }, i) => writeFileSync(fileOf(i), code));
  // The project a reader has: a public/ folder beside the app.
  mkdirSync(join(dir, "public"));
  writeFileSync(join(dir, "public", "index.html"), "<!doctype html><p>home</p>\n");
  const typeCheck = await run(["check", "--quiet", ...blocks.map((_, i) => fileOf(i))], 120_000);
  report(typeCheck.code === 0, `the README's ${blocks.length} TypeScript blocks type-check`, typeCheck.output);
  for (const [i, { code, line }] of blocks.entries()) {
    const serves = /^export default /m.test(code) ? "export" : /\bserve\(/.test(code) ? "serve" : undefined;
    if (serves === undefined) continue;
    const file = fileOf(i);
    const port = await freePort();
    const problem = serves === "export"
      ? await serveOnce(["serve", "-A", "--quiet", "--port", String(port), file], port)
      : await serveOnce(["run", "-A", "--quiet", file], undefined);
    report(problem === undefined, `README block at line ${line} serves and answers`, problem);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`readme: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
