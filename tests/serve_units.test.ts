// @workerd
/**
 * The portable parts of serving: the CLI's argument parser, finding the
 * handler in a module, defineApp's context binding, limits and body guards.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { context } from "../src/context.ts";
import { parseServeArgs, UsageError } from "../src/cli/args.ts";
import { findHandler } from "../src/cli/module.ts";
import { defineApp } from "../src/serve/app.ts";
import { BodyGuard, defaultLimits, guardStream, LimitError, resolveLimits } from "../src/serve/limits.ts";
import { invoke } from "../src/serve/invoke.ts";
import { isResponse } from "../src/internal/is_response.ts";

test("version: the one the command prints is the package's, on npm and JSR", async () => {
  const { VERSION } = await import("../src/version.ts");
  const read = async (name: string) => {
    const { readFile } = await import("node:fs/promises");
    return JSON.parse(await readFile(new URL(`../${name}`, import.meta.url), "utf8")).version;
  };
  assert.equal(VERSION, await read("package.json"));
  assert.equal(VERSION, await read("deno.json"));
}, { skip: ["workerd"] });

test("args: a module and every option, long, short and inline", () => {
  assert.deepEqual(parseServeArgs([]), { watch: false, help: false, version: false });
  assert.deepEqual(
    parseServeArgs([
      "app.ts",
      "--port",
      "9000",
      "--host=0.0.0.0",
      "--static",
      "public",
      "--workers",
      "auto",
      "--watch",
    ]),
    {
      module: "app.ts",
      port: 9000,
      host: "0.0.0.0",
      static: "public",
      workers: "auto",
      watch: true,
      help: false,
      version: false,
    },
  );
  assert.deepEqual(parseServeArgs(["-p", "0", "-H", "::1", "-h"]), {
    port: 0,
    host: "::1",
    watch: false,
    help: true,
    version: false,
  });
  assert.equal(parseServeArgs(["-v"]).version, true);
  assert.equal(parseServeArgs(["--version"]).version, true);
  assert.equal(parseServeArgs(["--workers=4"]).workers, 4);
  assert.equal(parseServeArgs(["--", "--odd-name.ts"]).module, "--odd-name.ts");
});

test("args: unknown options, missing and bad values are UsageErrors naming them", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /unknown option --bogus/],
    [["-x"], /unknown option -x/],
    [["--port"], /--port needs a value/],
    [["--port", "--watch"], /--port needs a value/],
    [["--port", "65536"], /--port must be an integer from 0 to 65535, got "65536"/],
    [["--port", "8e3"], /--port must be an integer/],
    [["--workers", "0"], /--workers must be a positive integer or "auto", got "0"/],
    [["--workers", "two"], /--workers must be/],
    [["--watch=yes"], /--watch takes no value/],
    [["--host="], /--host needs a value/],
    [["a.ts", "b.ts"], /one module at most: got "a.ts" and "b.ts"/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseServeArgs(argv), (error: unknown) => {
      assert.ok(error instanceof UsageError, argv.join(" "));
      assert.match((error as Error).message, message);
      return true;
    });
  }
});

test("findHandler: a handler, an object with fetch, or a one-line reason", async () => {
  const direct = findHandler({ default: () => new Response("fn") }, "a.ts");
  assert.equal(await (await direct.handler!(new Request("http://x/"))).text(), "fn");
  const app = {
    fetch(this: unknown) {
      return new Response(this === app ? "bound" : "unbound");
    },
  };
  assert.equal(await (await findHandler({ default: app }, "b.ts").handler!(new Request("http://x/"))).text(), "bound");
  assert.equal(
    findHandler({ helper: 1, other: 2 }, "c.ts").error,
    "c.ts has no default export (found exports [helper, other]); export default a handler or { fetch }",
  );
  assert.match(findHandler({}, "d.ts").error!, /d\.ts has no default export \(it exports nothing\)/);
  assert.match(findHandler({ default: 42 }, "e.ts").error!, /e\.ts: default export is number 42, not a handler/);
  assert.match(findHandler({ default: { fetch: "no" } }, "f.ts").error!, /fetch is string "no", not a function/);
  for (const found of [findHandler({}, "g.ts"), findHandler({ default: null }, "h.ts")]) {
    assert.ok(!found.error!.includes("\n"), "one line");
  }
});

test("defineApp: Workers arguments become env, runtimeArgs and waitUntil", async () => {
  const waited: Promise<unknown>[] = [];
  const ctx = { waitUntil: (promise: Promise<unknown>) => void waited.push(promise), passThroughOnException() {} };
  const app = defineApp((request) => {
    const c = context(request);
    c.waitUntil(Promise.resolve("later"));
    return Response.json({ env: c.env, args: c.runtimeArgs.length });
  });
  const response = await app.fetch(new Request("http://x/"), { NAME: "value" }, ctx);
  assert.deepEqual(await response.json(), { env: { NAME: "value" }, args: 2 });
  assert.equal(waited.length, 1);
  assert.equal(await waited[0], "later");
});

test("defineApp: Deno's info and Bun's server give the client address", async () => {
  const show = defineApp((request) => new Response(`${context(request).remoteAddr?.hostname}`));
  const deno = { remoteAddr: { hostname: "10.1.2.3", port: 4, transport: "tcp" }, completed: Promise.resolve() };
  assert.equal(await (await show.fetch(new Request("http://x/"), deno)).text(), "10.1.2.3");
  const bun = { requestIP: () => ({ address: "10.9.8.7", port: 6 }) };
  assert.equal(await (await show.fetch(new Request("http://x/"), bun)).text(), "10.9.8.7");
});

test("defineApp: a context already bound by serve is kept", async () => {
  const request = new Request("http://x/");
  const { bindContext } = await import("../src/context.ts");
  bindContext(request, { runtimeArgs: ["server"], remoteAddr: { hostname: "1.1.1.1", port: 1 } });
  const app = defineApp((r) => new Response(context(r).remoteAddr!.hostname));
  assert.equal(
    await (await app.fetch(request, { requestIP: () => ({ address: "2.2.2.2", port: 2 }) })).text(),
    "1.1.1.1",
  );
});

test("defineApp and invoke: a failure is a plain 500, not a crash", async () => {
  const original = console.error;
  console.error = () => {};
  try {
    const throwing = defineApp(() => {
      throw new Error("boom");
    });
    const response = await throwing.fetch(new Request("http://x/"));
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "Internal Server Error\n");
    const notResponse = await invoke(() => "text" as unknown as Response, new Request("http://x/"));
    assert.equal(notResponse.status, 500);
    const rejected = await invoke(() => Promise.reject(new Error("later")), new Request("http://x/"));
    assert.equal(rejected.status, 500);
  } finally {
    console.error = original;
  }
  assert.throws(() => defineApp(42 as never), { name: "TypeError", message: /defineApp: app must be a function/ });
});

test("isResponse: the runtime's Responses and subclasses, also after the global is replaced", () => {
  const Original = globalThis.Response;
  class Subclass extends Original {}
  assert.equal(isResponse(new Original("a")), true);
  assert.equal(isResponse(new Subclass("a")), true);
  assert.equal(isResponse(Original.json({})), true);
  for (const value of [undefined, null, "a", {}, { status: 200, body: null }, Promise.resolve(new Original())]) {
    assert.equal(isResponse(value), false, String(value));
  }
  // A replacement installed after load (fetchkit's light Response on Node, @hono/node-server's) inherits
  // from the runtime's own class: its instances and the original's still pass.
  globalThis.Response = Subclass;
  try {
    assert.equal(isResponse(new Subclass("b")), true);
    assert.equal(isResponse(new Original("b")), true);
  } finally {
    globalThis.Response = Original;
  }
});

test("limits: defaults, overrides, and TypeErrors naming the bad one", () => {
  assert.deepEqual(resolveLimits(undefined), { ...defaultLimits });
  assert.equal(resolveLimits({ maxBodySize: 10 }).maxBodySize, 10);
  assert.equal(resolveLimits({ maxBodySize: 10 }).maxHeaderSize, defaultLimits.maxHeaderSize);
  assert.throws(() => resolveLimits({ maxBodySize: -1 }), { name: "TypeError", message: /limits\.maxBodySize/ });
  assert.throws(() => resolveLimits({ idleTimeout: NaN }), { name: "TypeError", message: /limits\.idleTimeout/ });
  assert.throws(() => resolveLimits({ bodySize: 1 } as never), {
    name: "TypeError",
    message: /unknown limit "bodySize"/,
  });
});

test("guardStream: counts as it streams and fails with 413 past the limit", async () => {
  const chunks = [new Uint8Array(400), new Uint8Array(400), new Uint8Array(400)];
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  const guard = new BodyGuard(1000);
  const request = new Request("http://x/", {
    method: "POST",
    body: guardStream(source, guard),
    // @ts-ignore: duplex is required for stream bodies
    duplex: "half",
  });
  await assert.rejects(request.arrayBuffer());
  assert.equal(guard.refused, 413);
  const response = await invoke(async (r) => new Response(await r.text()), request, guard);
  assert.equal(response.status, 413);
  assert.ok(new LimitError(413).message.includes("Too Large"));
});

test("guardStream: a body within the limit passes unchanged", async () => {
  const guard = new BodyGuard(1000);
  const stream = guardStream(new Response("hello body").body!, guard);
  assert.equal(await new Response(stream).text(), "hello body");
  assert.equal(guard.refused, undefined);
});
