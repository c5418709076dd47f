/**
 * The command as a development server, run as a user runs it (a subprocess
 * of the runtime executing the tests): the access log, the banner, `--quiet`,
 * `--spa`, clean URLs, source types, and the errors of a module that cannot
 * be loaded, each with its exact message.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { fixture, root, run, scriptCommand, startServing } from "./fixtures/serve/harness.ts";
import { devLogLine } from "../src/cli/dev_server.ts";
import { parseServeArgs, UsageError } from "../src/cli/args.ts";

const cli = (...args: string[]) => scriptCommand(join(root, "serve.ts"), ...args);
const opts = { skip: ["workerd" as const], timeout: 60_000 };
const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

/** A folder as a front-end project has it: pages, a nested index, sources. */
function makeSite(): { dir: string; remove(): void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "fetchkit-dev-")));
  mkdirSync(join(dir, "docs"));
  const files: Record<string, string> = {
    "index.html": "<h1>home</h1>\n",
    "about.html": "<h1>about</h1>\n",
    "docs/index.html": "<h1>docs</h1>\n",
    "main.ts": "export const answer: number = 42;\n",
    "App.tsx": "export const App = () => <p>hi</p>;\n",
    "lib.mts": "export {};\n",
    "App.jsx": "export const App = () => <p>hi</p>;\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function get(url: URL, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers, redirect: "manual" });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    location: response.headers.get("location"),
    body: await response.text(),
  };
}

test("cli dev: --quiet, --spa and --no-clean-urls parse; the static ones need --static", () => {
  assert.deepEqual(parseServeArgs(["--static", "public", "--spa", "--no-clean-urls", "-q"]), {
    static: "public",
    spa: true,
    cleanUrls: false,
    quiet: true,
    watch: false,
    help: false,
    version: false,
  });
  for (
    const [argv, message] of [
      [["--spa"], "--spa needs --static DIR"],
      [["app.ts", "--no-clean-urls"], "--no-clean-urls needs --static DIR"],
      [["--static", "d", "--spa=yes"], "--spa takes no value"],
      [["--quiet=1"], "--quiet takes no value"],
    ] as const
  ) {
    assert.throws(() => parseServeArgs(argv), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal((error as Error).message, message);
      return true;
    });
  }
});

test("cli dev: one access-log line per request: time, client, method, path, status, bytes, duration", async () => {
  const env = { FETCHKIT_ENV: "development" };
  const proc = await startServing(cli("--static", fixture("static")), { path: "/a.txt?warm", env });
  try {
    await (await fetch(new URL("/a.txt?x=1", proc.url))).text();
    await (await fetch(new URL("/nope", proc.url))).text();
    const page = new TextEncoder().encode(await (await fetch(new URL("/missing", proc.url), { headers: html })).text());
    const line = /^\d\d:\d\d:\d\d 127\.0\.0\.1 GET \/a\.txt\?x=1 200 16 B \d+\.\d ms$/m;
    assert.ok(await proc.waitFor(line, 5000), proc.output());
    // fetchkit's own 404s, the plain one and the development page, are counted exactly.
    assert.ok(await proc.waitFor(/^\d\d:\d\d:\d\d 127\.0\.0\.1 GET \/nope 404 10 B \d+\.\d ms$/m, 5000), proc.output());
    const pageLine = new RegExp(
      `^\\d\\d:\\d\\d:\\d\\d 127\\.0\\.0\\.1 GET /missing 404 ${page.byteLength} B \\d+\\.\\d ms$`,
      "m",
    );
    assert.ok(page.byteLength > 500, "the development 404 page");
    assert.ok(await proc.waitFor(pageLine, 5000), proc.output());
  } finally {
    await proc.kill();
  }
}, opts);

test("cli dev: the log line escapes control characters, so a request can neither forge a line nor colour one", () => {
  const entry = {
    time: new Date(2026, 0, 2, 3, 4, 5),
    remote: "127.0.0.1",
    method: "GET",
    target: "/a\nb\x1b[31m\u202ec d\\",
    status: 404,
    bytes: undefined,
    durationMs: 0.04,
    referer: null,
    userAgent: null,
  };
  assert.equal(devLogLine(entry), "03:04:05 127.0.0.1 GET /a\\x0ab\\x1b[31m\\u202ec%20d\\x5c 404 - 0.0 ms");
  assert.equal(
    devLogLine({ ...entry, target: "/", status: 200, bytes: 12 }, true),
    "03:04:05 127.0.0.1 GET / \x1b[32m200\x1b[0m 12 B 0.0 ms",
    "on a terminal the status is coloured",
  );
});

test("cli dev: --quiet (-q) logs no requests", async () => {
  for (const flag of ["--quiet", "-q"]) {
    const proc = await startServing(cli(fixture("handler_only.ts"), flag), { path: "/warm" });
    try {
      await (await fetch(new URL("/x", proc.url))).text();
      await new Promise((r) => setTimeout(r, 300)); // the log writes within 20 ms
      assert.doesNotMatch(proc.output(), / GET \//, proc.output());
      assert.match(proc.output(), /Listening on http:\/\/127\.0\.0\.1:\d+\//);
    } finally {
      await proc.kill();
    }
  }
}, opts);

test("cli dev: the banner names the folder or the module, and every URL", async () => {
  const site = makeSite();
  try {
    const folder = await startServing(cli("--static", site.dir, "--spa"));
    try {
      const lines = folder.output().split("\n");
      assert.ok(
        lines.includes(
          `fetchkit: serving the folder ${site.dir} (directory listings, clean URLs, single-page app)`,
        ),
        folder.output(),
      );
      assert.ok(lines.includes(`Listening on http://127.0.0.1:${folder.port}/`), folder.output());
    } finally {
      await folder.kill();
    }
    const module = await startServing(cli(fixture("hello.ts"), "--static", site.dir, "--no-clean-urls"));
    try {
      assert.match(
        module.output(),
        new RegExp(
          `^fetchkit: serving the folder ${site.dir}, then the module ${
            fixture("hello.ts").replace(/[.]/g, "\\.")
          } \\(directory listings\\)$`,
          "m",
        ),
      );
    } finally {
      await module.kill();
    }
  } finally {
    site.remove();
  }
}, opts);

test("cli dev: bound to 0.0.0.0, the banner lists loopback and the network addresses, not the wildcard", async () => {
  const proc = await startServing(cli(fixture("hello.ts"), "--host", "0.0.0.0"));
  try {
    const output = proc.output();
    assert.match(output, new RegExp(`^Listening on http://127\\.0\\.0\\.1:${proc.port}/$`, "m"));
    assert.doesNotMatch(output, /0\.0\.0\.0/);
    const lan = Object.values(networkInterfaces()).flat()
      .filter((info) => info !== undefined && !info.internal && info.family === "IPv4").map((info) => info!.address);
    for (const address of lan) {
      assert.ok(output.includes(`Listening on http://${address}:${proc.port}/ (network)\n`), `${address}: ${output}`);
      const response = await fetch(`http://${address}:${proc.port}/`);
      assert.equal(response.status, 200, `answers on ${address}`);
      await response.body?.cancel();
    }
  } finally {
    await proc.kill();
  }
}, opts);

test("cli dev: --spa serves index.html for navigations that find no file; assets still 404", async () => {
  const site = makeSite();
  const proc = await startServing(cli("--static", site.dir, "--spa"));
  try {
    const route = await get(new URL("/users/7", proc.url), html);
    assert.equal(route.status, 200);
    assert.equal(route.body, "<h1>home</h1>\n");
    assert.equal((await get(new URL("/logo.png", proc.url), html)).status, 404);
    assert.equal((await get(new URL("/users/7", proc.url), { accept: "application/json" })).status, 404);
    assert.equal((await get(new URL("/docs/", proc.url), html)).body, "<h1>docs</h1>\n");
  } finally {
    await proc.kill();
    site.remove();
  }
  const { code, output } = await run(cli("--spa"));
  assert.equal(code, 2);
  assert.match(output, /^fetchkit: --spa needs --static DIR \(see fetchkit --help\)$/m);
}, opts);

test("cli dev: --spa with a module: files, then the module, then index.html for navigations", async () => {
  const site = makeSite();
  const proc = await startServing(cli(fixture("handler_only.ts"), "--static", site.dir, "--spa"));
  try {
    assert.equal((await get(new URL("/about", proc.url))).body, "<h1>about</h1>\n");
    assert.equal((await get(new URL("/x", proc.url), html)).body, "plain handler at /x", "the module answers");
  } finally {
    await proc.kill();
    site.remove();
  }
}, opts);

test("cli dev: clean URLs: /about serves about.html, /about.html redirects to /about; --no-clean-urls", async () => {
  const site = makeSite();
  const proc = await startServing(cli("--static", site.dir));
  try {
    assert.equal((await get(new URL("/about", proc.url))).body, "<h1>about</h1>\n");
    const page = await get(new URL("/about.html", proc.url));
    assert.deepEqual([page.status, page.location], [301, "/about"]);
    const index = await get(new URL("/docs/index.html", proc.url));
    assert.deepEqual([index.status, index.location], [301, "/docs/"]);
    const folder = await get(new URL("/docs", proc.url));
    assert.deepEqual([folder.status, folder.location], [301, "/docs/"], "a folder keeps its slash redirect");
  } finally {
    await proc.kill();
  }
  const plain = await startServing(cli("--static", site.dir, "--no-clean-urls"));
  try {
    assert.equal((await get(new URL("/about", plain.url))).status, 404);
    assert.equal((await get(new URL("/about.html", plain.url))).body, "<h1>about</h1>\n");
  } finally {
    await plain.kill();
    site.remove();
  }
}, opts);

test("cli dev: TypeScript and JSX sources are served as text, .ts not as video/mp2t", async () => {
  const site = makeSite();
  const proc = await startServing(cli("--static", site.dir));
  try {
    for (
      const [path, type] of [
        ["/main.ts", "text/typescript; charset=utf-8"],
        ["/lib.mts", "text/typescript; charset=utf-8"],
        ["/App.tsx", "text/tsx; charset=utf-8"],
        ["/App.jsx", "text/jsx; charset=utf-8"],
      ]
    ) {
      const file = await get(new URL(path, proc.url));
      assert.equal(file.status, 200, path);
      assert.equal(file.type, type, path);
    }
  } finally {
    await proc.kill();
    site.remove();
  }
}, opts);

/** A folder with one app module of the given source. */
function appModule(name: string, source: string): { dir: string; file: string; remove(): void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "fetchkit-load-")));
  const file = join(dir, name);
  writeFileSync(file, source);
  return { dir, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const install = { node: "npm install", deno: "deno add npm:", bun: "bun add " } as Record<string, string>;

test("cli dev: a module importing a missing package names the package, not the module as missing", async () => {
  const app = appModule("app.ts", 'import x from "no-such-package-for-fetchkit/sub";\nexport default () => x;\n');
  try {
    const { code, output } = await run(cli(app.file));
    assert.equal(code, 2);
    const position = runtime === "deno" ? ":1:15" : "";
    const command = runtime === "node"
      ? "npm install no-such-package-for-fetchkit"
      : `${install[runtime]}no-such-package-for-fetchkit`;
    assert.equal(
      output.trim(),
      `fetchkit: cannot import ${app.file}: package "no-such-package-for-fetchkit" is not installed ` +
        `(imported from ${app.file}${position}); install it with \`${command}\``,
    );
  } finally {
    app.remove();
  }
}, opts);

test("cli dev: a syntax error names the file, line and column, and shows the line", async () => {
  const app = appModule("app.ts", 'import "./broken.ts";\nexport default () => new Response("x");\n');
  writeFileSync(join(app.dir, "broken.ts"), "export const a = 1;\nexport function f() {\n  let x = ;\n}\n");
  try {
    const { code, output } = await run(cli(app.file));
    assert.equal(code, 2);
    const reason = runtime === "bun" ? "Unexpected ;" : "Expression expected";
    assert.equal(
      output.trim(),
      `fetchkit: cannot import ${app.file}: syntax error at ${join(app.dir, "broken.ts")}:3:11: ${reason}\n` +
        "  3 |   let x = ;\n" +
        "    |           ^",
    );
  } finally {
    app.remove();
  }
  // Plain JavaScript too: Node reports its syntax errors without a file, the command finds it.
  const js = appModule("app.mjs", 'import "./lib/broken.js";\nexport default () => new Response("x");\n');
  mkdirSync(join(js.dir, "lib"));
  writeFileSync(join(js.dir, "lib", "broken.js"), "export const a = 1;\nlet x = ;\n");
  try {
    const { code, output } = await run(cli(js.file));
    assert.equal(code, 2);
    const reason =
      { node: "Unexpected token ';'", deno: "Expression expected", bun: "Unexpected ;" }[runtime as string];
    assert.equal(
      output.trim(),
      `fetchkit: cannot import ${js.file}: syntax error at ${join(js.dir, "lib", "broken.js")}:2:9: ${reason}\n` +
        "  2 | let x = ;\n" +
        "    |         ^",
    );
  } finally {
    js.remove();
  }
}, opts);

test("cli dev: an error thrown while the module loads says where; the stack follows in development", async () => {
  const app = appModule(
    "app.ts",
    'function connect(): never {\n  throw new Error("no database");\n}\nconnect();\nexport default () => new Response("x");\n',
  );
  try {
    const column = runtime === "bun" ? 13 : 9; // Bun points at the constructor, Node and Deno at `new`
    const first = `fetchkit: cannot import ${app.file}: Error: no database (at ${app.file}:2:${column})`;
    const production = await run(cli(app.file), { env: { FETCHKIT_ENV: "production" } });
    assert.equal(production.code, 2);
    assert.equal(production.output.trim(), first, "in production: one line");
    const development = await run(cli(app.file), { env: { FETCHKIT_ENV: "development" } });
    assert.equal(development.code, 2);
    const [head, ...stack] = development.output.trim().split("\n");
    assert.equal(head, first);
    assert.equal(stack.length, 2, development.output);
    assert.match(
      stack[0],
      new RegExp(`^    at connect \\((?:file://)?${app.file.replace(/[.]/g, "\\.")}:2:${column}\\)$`),
    );
    assert.match(stack[1], new RegExp(`^    at (?:file://)?${app.file.replace(/[.]/g, "\\.")}:4:1$`));
  } finally {
    app.remove();
  }
}, opts);
