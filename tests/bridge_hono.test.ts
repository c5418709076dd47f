// @workerd
import assert from "node:assert/strict";
import { Hono } from "hono";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { bindContext, context } from "../src/context.ts";
import { mount } from "../src/dispatch/mount.ts";
import { pass } from "../src/pass.ts";
import { honoBase, toHono } from "../src/bridge/hono.ts";
import { serveStatic } from "../src/static/files.ts";
import { memorySource } from "../src/static/manifest.ts";

function api(): Hono {
  const app = new Hono();
  app.get("/users/:id", (c) =>
    c.json({
      path: c.req.path,
      id: c.req.param("id"),
      base: honoBase(c),
      original: new URL(context(c.req.raw).originalUrl).pathname,
      self: `${honoBase(c)}/users/${c.req.param("id")}`,
    }));
  app.get("/env", (c) => c.json({ env: c.env, waitUntil: typeof c.executionCtx.waitUntil }));
  return app;
}

test("hono inside fetchkit: a Hono app under /api routes on the path below it and reads its prefix", async () => {
  const app = mount({ "/api": api(), "/": () => new Response("home") });
  const response = await app(new Request("http://localhost/api/users/7?x=1"));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    path: "/users/7",
    id: "7",
    base: "/api",
    original: "/api/users/7",
    self: "/api/users/7",
  });
  assert.equal(await (await app(new Request("http://localhost/other"))).text(), "home");
});

test("hono inside fetchkit: the runtime's arguments arrive as c.env and c.executionCtx", async () => {
  const app = mount({ "/api": api() });
  const request = new Request("http://localhost/api/env");
  const waited: Promise<unknown>[] = [];
  bindContext(request, { runtimeArgs: [{ KEY: "value" }, { waitUntil: (p: Promise<unknown>) => waited.push(p) }] });
  const response = await app(request);
  assert.deepEqual(await response.json(), { env: { KEY: "value" }, waitUntil: "function" });
});

test("fetchkit inside hono: toHono shows the handler the path below the route, and a pass goes on to Hono", async () => {
  const kit = mount({
    "/hello": (request) =>
      new Response(`${new URL(request.url).pathname} base=${context(request).base} ${context(request).originalUrl}`),
  });
  const app = new Hono();
  app.use("/kit/*", toHono(kit));
  app.get("/kit/other", (c) => c.text("from hono"));
  let response = await app.fetch(new Request("http://localhost/kit/hello/x?q=1"));
  assert.equal(await response.text(), "/x base=/kit/hello http://localhost/kit/hello/x?q=1");
  response = await app.fetch(new Request("http://localhost/kit/other"));
  assert.equal(await response.text(), "from hono");
  response = await app.fetch(new Request("http://localhost/kit/none"));
  assert.equal(response.status, 404);
});

test("fetchkit inside hono: route parameters count as segments of the prefix; the URL is restored after", async () => {
  let seenUrl = "";
  const app = new Hono();
  app.use(
    "/u/:id/files/*",
    toHono((request) => {
      seenUrl = request.url;
      return new Response(context(request).base);
    }),
  );
  app.get("/u/:id/files/*", (c) => c.text(`after: ${c.req.raw.url}`));
  const response = await app.fetch(new Request("http://localhost/u/42/files/a/b.txt"));
  assert.equal(await response.text(), "/u/42/files");
  assert.equal(seenUrl, "http://localhost/a/b.txt");
  const declining = new Hono();
  declining.use("/p/*", toHono(() => pass()));
  declining.get("/p/x", (c) => c.text(c.req.raw.url));
  assert.equal(await (await declining.fetch(new Request("http://localhost/p/x"))).text(), "http://localhost/p/x");
});

test("fetchkit inside hono as a Worker: the handler gets c.env, waitUntil and runtimeArgs", async () => {
  const seen: unknown[] = [];
  const waited: Promise<unknown>[] = [];
  const inner = {
    fetch(request: Request, env: unknown, ctx: unknown) {
      seen.push(env, ctx === executionCtx, context(request).env);
      context(request).waitUntil(Promise.resolve("bg"));
      return new Response("ok");
    },
  };
  const executionCtx = {
    waitUntil: (p: Promise<unknown>) => void waited.push(p),
    passThroughOnException() {},
    props: {},
  };
  const app = new Hono();
  app.use("/w/*", toHono(inner));
  const response = await app.fetch(new Request("http://localhost/w/x"), { DB: "binding" }, executionCtx);
  assert.equal(await response.text(), "ok");
  assert.deepEqual(seen, [{ DB: "binding" }, true, { DB: "binding" }]);
  assert.equal(waited.length, 1);
});

test("fetchkit inside hono inside fetchkit: prefixes add up", async () => {
  const hono = new Hono();
  hono.use("/files/*", toHono((request) => new Response(`${context(request).base} ${new URL(request.url).pathname}`)));
  const app = mount({ "/outer": hono });
  const response = await app(new Request("http://localhost/outer/files/a.txt"));
  assert.equal(await response.text(), "/outer/files /a.txt");
});

const manifest = {
  files: {
    "hello.txt": { size: 6, mtimeMs: 1_700_000_000_000, etag: '"h1"', base64: btoa("hello\n") },
    "css/site.css": { size: 8, mtimeMs: 1_700_000_000_000, etag: '"c1"', base64: btoa("body{}\n\n") },
  },
};

test("serveStatic is a drop-in for Hono's serveStatic (memory source, every runtime)", async () => {
  const app = new Hono();
  app.use("/static/*", toHono(serveStatic(memorySource(manifest), { fallthrough: true })));
  app.get("/static/generated", (c) => c.text("from hono"));
  let response = await app.fetch(new Request("http://localhost/static/hello.txt"));
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "hello\n");
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
  const etag = response.headers.get("etag");
  assert.ok(etag);
  response = await app.fetch(new Request("http://localhost/static/hello.txt", { headers: { "if-none-match": etag } }));
  assert.equal(response.status, 304);
  response = await app.fetch(new Request("http://localhost/static/css/site.css", { headers: { range: "bytes=0-3" } }));
  assert.equal(response.status, 206);
  assert.equal(await response.text(), "body");
  response = await app.fetch(new Request("http://localhost/static/generated"));
  assert.equal(await response.text(), "from hono");
});

test("serveStatic inside Hono from a directory, served over HTTP by fetchkit", async () => {
  const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(join(tmpdir(), "fetchkit-bridge-hono-"));
  try {
    await writeFile(join(dir, "a.txt"), "from disk");
    const app = new Hono();
    app.use("/static/*", toHono(serveStatic(dir, { fallthrough: true })));
    app.get("*", (c) => c.text(`hono ${c.req.path}`));
    await withServer(mount({ "/site": app }), async (url) => {
      let response = await fetch(new URL("/site/static/a.txt", url));
      assert.equal(await response.text(), "from disk");
      response = await fetch(new URL("/site/static/missing.txt", url));
      assert.equal(await response.text(), "hono /static/missing.txt");
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, { skip: ["workerd"] });

test("hono inside fetchkit over HTTP: a real server, the Hono app under /api", async () => {
  await withServer(mount({ "/api": api() }), async (url) => {
    const response = await fetch(new URL("/api/users/3", url));
    assert.deepEqual(await response.json(), {
      path: "/users/3",
      id: "3",
      base: "/api",
      original: "/api/users/3",
      self: "/api/users/3",
    });
  });
}, { skip: ["workerd"] });

test("bridges: bad input is a TypeError naming the bridge at construction", async () => {
  const { fromNode } = await import("../src/bridge/from_node.ts");
  const { toNode } = await import("../src/bridge/to_node.ts");
  assert.throws(() => toHono(42 as never), { name: "TypeError", message: /toHono: handler must be a function/ });
  assert.throws(() => toNode({} as never), { name: "TypeError", message: /toNode: handler must be a function/ });
  assert.throws(() => fromNode("app" as never), {
    name: "TypeError",
    message: /fromNode: app must be a function \(req, res, next\), got string "app"/,
  });
});
