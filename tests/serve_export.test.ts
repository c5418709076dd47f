/**
 * The `export default defineApp(...)` shape serves exactly once under each
 * runtime's own entry (deno serve, bun run, bun --hot, workerd) and under
 * serve.ts, and importing it binds nothing. Each case spawns the real runtime.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { startWorkerd } from "./_lib/workerd.ts";
import { bin, fixture, root, run, scriptCommand, startServing } from "./fixtures/serve/harness.ts";
import { freePort } from "./_lib/port.ts";
import { connect } from "node:net";

interface Hello {
  message: string;
  path: string;
  pid: number;
  remote: string | null;
  greeting: string | null;
  runtimeArgs: number;
}

const getJson = async (url: URL): Promise<Hello> => await (await fetch(url)).json();
const bound = (output: string) => (output.match(/Listening on/gi) ?? []).length;
const addressInUse = /EADDRINUSE|address already in use|AddrInUse|port .* in use/i;

test("export: importing the app module binds no port (the process ends by itself)", async () => {
  const { code, output } = await run(scriptCommand(fixture("import_only.ts")), { ms: 15_000 });
  assert.equal(code, 0, output);
  assert.match(output, /imported: function \/imported/);
}, { skip: ["workerd"] });

test("export: under deno serve, the disconnect signal aborts when the client leaves before the answer", async () => {
  const port = await freePort();
  const served = await startServing(
    [bin("deno"), "serve", "-A", "--no-check", "--port", String(port), fixture("signal_app.ts")],
    { port, path: "/seen" },
  );
  try {
    const socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /wait HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    let seen = "";
    for (let i = 0; i < 40 && seen !== "aborted"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await (await fetch(new URL("/seen", served.url))).text();
    }
    assert.equal(seen, "aborted", served.output());
  } finally {
    await served.kill();
  }
}, { only: ["deno"] });

test("export: calling fetch directly gives a context without runtime arguments", async () => {
  const { default: app } = await import("./fixtures/serve/hello.ts");
  const body: Hello = await (await app.fetch(new Request("http://localhost/direct"))).json();
  assert.equal(body.path, "/direct");
  assert.equal(body.runtimeArgs, 0);
  assert.equal(body.remote, null);
});

test("export: deno serve serves the module once, with the client address in context", async () => {
  // `deno serve` takes its port from --port (not PORT).
  const port = await freePort();
  const served = await startServing(
    [bin("deno"), "serve", "-A", "--no-check", "--port", String(port), fixture("hello.ts")],
    { port },
  );
  try {
    const body = await getJson(new URL("/from-deno-serve", served.url));
    assert.equal(body.path, "/from-deno-serve");
    assert.equal(body.remote, "127.0.0.1");
    assert.equal(body.runtimeArgs, 1, "Deno's serve info");
    assert.equal(bound(served.output()), 1, served.output());
    assert.doesNotMatch(served.output(), addressInUse);
  } finally {
    await served.kill();
  }
}, { only: ["deno"] });

test("export: bun run serves the module once by itself (Bun's auto-serve, PORT honoured)", async () => {
  const proc = await startServing([bin("bun"), "run", fixture("hello.ts")]);
  try {
    const body = await getJson(new URL("/from-bun", proc.url));
    assert.equal(body.path, "/from-bun");
    assert.equal(body.remote?.replace("::ffff:", ""), "127.0.0.1");
    assert.equal(body.runtimeArgs, 1, "Bun's server");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(proc.child.exitCode, null, "still serving");
    assert.doesNotMatch(proc.output(), addressInUse);
  } finally {
    await proc.kill();
  }
}, { only: ["bun"] });

test("export: bun run serve.ts module binds once (no double bind by Bun's auto-serve)", async () => {
  const proc = await startServing([bin("bun"), "run", join(root, "serve.ts"), fixture("hello.ts")]);
  try {
    const body = await getJson(new URL("/through-cli", proc.url));
    assert.equal(body.path, "/through-cli");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(proc.child.exitCode, null, `still serving:\n${proc.output()}`);
    assert.equal(bound(proc.output()), 1, proc.output());
    assert.doesNotMatch(proc.output(), addressInUse);
  } finally {
    await proc.kill();
  }
}, { only: ["bun"] });

test("export: bun --hot serves once and swaps in an edited module without rebinding", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fetchkit-hot-"));
  const file = join(dir, "app.ts");
  const source = readFileSync(fixture("hello.ts"), "utf8").replaceAll("../../../src/", `${root}/src/`);
  writeFileSync(file, source);
  const proc = await startServing([bin("bun"), "--hot", file]);
  try {
    assert.equal((await getJson(proc.url)).message, "hello from the fixture");
    writeFileSync(file, source.replace("hello from the fixture", "hello after an edit"));
    let message = "";
    for (let i = 0; i < 60 && message !== "hello after an edit"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      message = await getJson(proc.url).then((b) => b.message, () => "");
    }
    assert.equal(message, "hello after an edit", proc.output());
    assert.equal(proc.child.exitCode, null);
    assert.doesNotMatch(proc.output(), addressInUse);
  } finally {
    await proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, { only: ["bun"] });

test("export: workerd serves the same module, with env and ctx in context", async () => {
  const workerd = await startWorkerd("tests/fixtures/serve/hello.ts", { text: { GREETING: "hello from env" } });
  try {
    const body = await getJson(new URL("/from-workerd", workerd.url));
    assert.equal(body.path, "/from-workerd");
    assert.equal(body.greeting, "hello from env");
    assert.equal(body.runtimeArgs, 2, "env and ctx");
  } finally {
    await workerd.close();
  }
}, { only: ["node"] });

test("export: node serve.ts module serves it once", async () => {
  const proc = await startServing(scriptCommand(join(root, "serve.ts"), fixture("hello.ts")));
  try {
    const body = await getJson(new URL("/node-cli", proc.url));
    assert.equal(body.path, "/node-cli");
    assert.equal(body.runtimeArgs, 1);
    assert.equal(bound(proc.output()), 1);
  } finally {
    await proc.kill();
  }
}, { skip: ["workerd"] });
