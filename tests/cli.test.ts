/**
 * serve.ts as a user runs it: a subprocess on the runtime executing the tests
 * (`deno run -A serve.ts`, `bun run serve.ts`, `node serve.ts`), real HTTP.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { fixture, root, run, scriptCommand, start, startServing } from "./fixtures/serve/harness.ts";

const cli = (...args: string[]) => scriptCommand(join(root, "serve.ts"), ...args);
const opts = { skip: ["workerd" as const], timeout: 60_000 };

test("cli: no module serves the example site", async () => {
  const proc = await startServing(cli());
  try {
    const response = await fetch(proc.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await response.text(), /<html|<!doctype/i);
    assert.match(proc.output(), new RegExp(`Listening on http://127\\.0\\.0\\.1:${proc.port}/`));
  } finally {
    await proc.kill();
  }
}, opts);

test("cli: a module argument serves its default export, { fetch } or a plain handler", async () => {
  for (
    const [name, expected] of [["hello.ts", /hello from the fixture/], ["handler_only.ts", /plain handler at \/x/]]
  ) {
    const proc = await startServing(cli(fixture(name as string)), { path: "/x" });
    try {
      const response = await fetch(new URL("/x", proc.url));
      assert.equal(response.status, 200);
      assert.match(await response.text(), expected as RegExp);
    } finally {
      await proc.kill();
    }
  }
}, opts);

test("cli: --port and --host override PORT and HOST", async () => {
  const proc = await start(cli(fixture("hello.ts"), "--port", "0", "--host", "127.0.0.1"), { env: { PORT: "1" } });
  try {
    assert.ok(await proc.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//), proc.output());
    const port = Number(proc.output().match(/127\.0\.0\.1:(\d+)/)![1]);
    assert.ok(port > 1024);
    const body = await (await fetch(`http://127.0.0.1:${port}/p`)).json();
    assert.equal(body.path, "/p");
    assert.equal(body.remote.replace("::ffff:", ""), "127.0.0.1");
  } finally {
    await proc.kill();
  }
}, opts);

test("cli: --static DIR serves a directory with an index and listings", async () => {
  const proc = await startServing(cli("--static", fixture("static")));
  try {
    assert.match(await (await fetch(proc.url)).text(), /static index/);
    const file = await fetch(new URL("/a.txt", proc.url));
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "plain text file\n");
    const listing = await fetch(new URL("/sub/", proc.url));
    assert.equal(listing.status, 200);
    assert.match(await listing.text(), /b\.txt/);
    const missing = await fetch(new URL("/nope.txt", proc.url));
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await proc.kill();
  }
}, opts);

test("cli: --static with a module serves files first, then the module", async () => {
  const proc = await startServing(cli(fixture("handler_only.ts"), "--static", fixture("static")));
  try {
    assert.equal(await (await fetch(new URL("/a.txt", proc.url))).text(), "plain text file\n");
    assert.equal(await (await fetch(new URL("/other", proc.url))).text(), "plain handler at /other");
  } finally {
    await proc.kill();
  }
}, opts);

test("cli: --help lists every option and exits 0", async () => {
  const { code, output } = await run(cli("--help"));
  assert.equal(code, 0);
  const options = ["--port", "--host", "--static", "--spa", "--no-clean-urls", "--workers", "--watch", "--quiet"];
  for (const option of [...options, "--version", "--help"]) {
    assert.ok(output.includes(option), `--help mentions ${option}`);
  }
}, opts);

test("cli: --version prints the package version and exits 0", async () => {
  const { code, output } = await run(cli("--version"));
  assert.equal(code, 0);
  const { VERSION } = await import("../src/version.ts");
  assert.equal(output.trim(), `fetchkit ${VERSION}`);
}, opts);

test("cli: the cli entry point runs as a main module (jsr:@fetchkit/core/cli) and not when imported", async () => {
  const { code, output } = await run(scriptCommand(join(root, "src", "cli", "main.ts"), "--version"));
  assert.equal(code, 0, output);
  assert.match(output.trim(), /^fetchkit \d+\.\d+\.\d+$/);
  const entry = await import("../src/cli/main.ts");
  assert.equal(typeof entry.main, "function", "importing it runs nothing and exports main");
}, opts);

test("cli: a module that imports a missing package is named with that error, not as missing itself", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fetchkit-cli-dep-"));
  try {
    const app = join(dir, "app.ts");
    writeFileSync(
      app,
      'import x from "no-such-package-for-fetchkit";\nexport default () => new Response(String(x));\n',
    );
    const { code, output } = await run(cli(app));
    assert.equal(code, 2);
    assert.match(output.trim(), /^fetchkit: cannot import .*app\.ts: .*no-such-package-for-fetchkit/);
    const missing = await run(cli(join(dir, "nope.ts")));
    assert.match(missing.output.trim(), /^fetchkit: cannot find .*nope\.ts$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, opts);

test("cli: a module without a usable export is a one-line error and exit 2", async () => {
  const none = await run(cli(fixture("no_default.ts")));
  assert.equal(none.code, 2);
  assert.match(
    none.output.trim(),
    /^fetchkit: .*no_default\.ts has no default export \(found exports \[answer, helper\]\)/,
  );
  assert.equal(none.output.trim().split("\n").length, 1, none.output);
  const wrong = await run(cli(fixture("bad_default.ts")));
  assert.equal(wrong.code, 2);
  assert.match(wrong.output, /default export is object with keys \[handle\], not a handler/);
  const missing = await run(cli(fixture("does_not_exist.ts")));
  assert.equal(missing.code, 2);
  assert.match(missing.output, /cannot find .*does_not_exist\.ts/);
}, opts);

test("cli: unknown options and bad values are clear errors, exit 2", async () => {
  for (
    const [args, message] of [
      [["--bogus"], /unknown option --bogus/],
      [["--port", "eighty"], /--port must be an integer from 0 to 65535, got "eighty"/],
      [["--workers", "0"], /--workers must be a positive integer or "auto"/],
      [["--static", fixture("hello.ts")], /is not a directory/],
      [["a.ts", "b.ts"], /one module at most/],
    ] as const
  ) {
    const { code, output } = await run(cli(...args));
    assert.equal(code, 2, `${args.join(" ")}: ${output}`);
    assert.match(output, message);
  }
}, opts);

test("cli: SIGTERM lets 20 slow requests finish, runs waitUntil work and hooks, exits 0", async () => {
  const proc = await startServing(cli(fixture("slow.ts")), { path: "/slow?ms=0" });
  try {
    await (await fetch(new URL("/bg", proc.url))).text();
    const requests = Array.from(
      { length: 20 },
      (_, i) =>
        fetch(new URL(`/slow?ms=${800 + i * 10}`, proc.url)).then(async (r) => [r.status, await r.text()] as const),
    );
    await new Promise((r) => setTimeout(r, 300)); // all 20 in flight
    proc.signal("SIGTERM");
    const results = await Promise.all(requests);
    for (const [i, [status, text]] of results.entries()) {
      assert.equal(status, 200);
      assert.equal(text, `slept ${800 + i * 10}`);
    }
    assert.equal(await proc.exited, 0, proc.output());
    assert.match(proc.output(), /waitUntil work done/);
    assert.match(proc.output(), /shutdown hook ran/);
    // Stopped accepting: the port is closed now.
    await assert.rejects(fetch(proc.url, { signal: AbortSignal.timeout(2000) }));
  } finally {
    await proc.kill();
  }
}, opts);

test("cli: a second SIGTERM forces the exit", async () => {
  const proc = await startServing(cli(fixture("slow.ts")), { path: "/slow?ms=0" });
  try {
    const pending = fetch(new URL("/slow?ms=30000", proc.url)).then(() => "answered", () => "cut");
    await new Promise((r) => setTimeout(r, 300));
    proc.signal("SIGTERM");
    assert.ok(await proc.waitFor(/shutting down gracefully/), proc.output());
    proc.signal("SIGTERM");
    const started = Date.now();
    const code = await proc.exited;
    assert.ok(Date.now() - started < 5000, "exits at once, not after the 30 s request");
    assert.equal(code, 143);
    assert.match(proc.output(), /SIGTERM again, exiting now/);
    assert.equal(await pending, "cut");
  } finally {
    await proc.kill();
  }
}, opts);

test("cli: --watch restarts when the served file changes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fetchkit-watch-"));
  const file = join(dir, "app.ts");
  copyFileSync(fixture("watched.ts"), file);
  const proc = await startServing(cli(file, "--watch"));
  try {
    assert.equal(await (await fetch(proc.url)).text(), "version 1");
    await new Promise((r) => setTimeout(r, 500));
    writeFileSync(file, `export default (): Response => new Response("version 2");\n`);
    let text = "";
    for (let i = 0; i < 100 && text !== "version 2"; i++) {
      await new Promise((r) => setTimeout(r, 150));
      text = await fetch(proc.url, { signal: AbortSignal.timeout(1000) }).then((r) => r.text(), () => "");
    }
    assert.equal(text, "version 2", proc.output());
  } finally {
    proc.signal("SIGTERM");
    const timer = setTimeout(() => proc.kill(), 5000);
    await proc.exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}, opts);
