/**
 * The companion of the import rules (.dependency-cruiser.cjs), for what an
 * import graph cannot show: code that reaches `Deno` or `Bun` through
 * `globalThis`. Only the adapters may, plus the two core modules whose job is
 * to tell runtimes apart (internal/runtime.ts) and to wrap their process
 * facilities (internal/process.ts). Prints each offending line; exits 1 if any.
 *
 * Run: node scripts/check-runtime-globals.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname ?? ".", "..");
const ALLOWED =
  /^src\/(node|cli|serve\/adapters|static\/sources|middleware\/adapters)\/|^src\/internal\/(runtime|process)\.ts$/;
/** `Deno.x`, `Bun.x`, `{ Deno?: … }`, `.Deno` on a global: a use of the runtime's namespace. */
const USE = /\b(?:Deno|Bun)\s*[.?]|\.(?:Deno|Bun)\b|\b(?:Deno|Bun)\s*\??:/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

let found = 0;
for (const path of files(join(root, "src"))) {
  const name = relative(root, path).replaceAll("\\", "/");
  if (ALLOWED.test(name)) continue;
  const lines = readFileSync(path, "utf8").split("\n");
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "").replace(/(["'`]).*?\1/g, "");
    if (!USE.test(code)) return;
    console.log(`${name}:${i + 1}: runtime global outside the adapters: ${line.trim()}`);
    found++;
  });
}
if (found > 0) {
  console.log(`${found} use(s) of Deno/Bun outside src/{node,cli,serve/adapters,static/sources,middleware/adapters}/`);
  process.exitCode = 1;
} else console.log("runtime globals: only in the adapters");
