/**
 * serveStatic inside a real workerd: the in-memory manifest built by
 * buildManifest from a real folder, plus the R2 and Assets sources over
 * binding objects built in the worker (a bare workerd has neither binding).
 * Runs under Node only: one workerd start covers it, the suite stays fast.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { startWorkerd } from "./_lib/workerd.ts";
import { rawRequest } from "./_lib/static_http.ts";
import { makeFixture } from "./_lib/static_fixture.ts";
import { buildManifest } from "../src/static/build.ts";

test("workerd: manifest, R2 and Assets sources serve with full HTTP semantics", async () => {
  const fx = makeFixture();
  fx.write("hello.txt", "hello from workerd\n");
  fx.write("app.js", "console.log('plain js');\n");
  fx.write("app.js.br", "BROTLI");
  fx.write("docs/index.html", "<h1>docs</h1>\n");
  fx.write("docs/guide.txt", "guide\n");
  fx.write("café.txt", "accent\n");
  fx.write(".secret", "no\n");
  let manifest;
  try {
    manifest = await buildManifest(fx.root);
  } finally {
    fx.remove();
  }
  assert.deepEqual(Object.keys(manifest.files).sort(), [
    "app.js",
    "app.js.br",
    "café.txt",
    "docs/guide.txt",
    "docs/index.html",
    "hello.txt",
  ]);
  const workerd = await startWorkerd("tests/_lib/static_worker.ts", {
    define: { __STATIC_MANIFEST__: JSON.stringify(manifest) },
  });
  try {
    for (const source of ["memory", "r2", "assets"]) {
      const get = (target: string, headers: Record<string, string> = {}, method = "GET") =>
        rawRequest(workerd.url, target, { "x-source": source, ...headers }, method);
      const hello = await get("/hello.txt");
      assert.equal(hello.status, 200, source);
      assert.equal(hello.text(), "hello from workerd\n");
      assert.equal(hello.headers.get("content-type"), "text/plain; charset=utf-8");
      const etag = hello.headers.get("etag")!;
      assert.match(etag, /^"[0-9a-f]{24}"$/, `${source}: the manifest's content hash is the ETag`);
      assert.equal((await get("/hello.txt", { "if-none-match": etag })).status, 304, source);
      assert.equal((await get("/hello.txt", { "if-match": '"x"' })).status, 412, source);
      const range = await get("/hello.txt", { range: "bytes=6-9" });
      assert.equal(range.status, 206, source);
      assert.equal(range.text(), "from");
      assert.equal(range.headers.get("content-range"), "bytes 6-9/19");
      const multi = await get("/hello.txt", { range: "bytes=0-4,-8" });
      assert.equal(multi.status, 206);
      assert.match(multi.headers.get("content-type")!, /^multipart\/byteranges/);
      assert.ok(multi.text().includes("hello") && multi.text().includes("workerd\n"), source);
      assert.equal((await get("/hello.txt", { range: "bytes=99-" })).headers.get("content-range"), "bytes */19");
      const br = await get("/app.js", { "accept-encoding": "br, gzip" });
      assert.equal(br.headers.get("content-encoding"), "br", source);
      assert.equal(br.text(), "BROTLI");
      assert.equal(br.headers.get("vary"), "Accept-Encoding");
      assert.equal((await get("/caf%C3%A9.txt")).text(), "accent\n", source);
      assert.equal((await get("/nope.txt")).status, 404, source);
      assert.equal((await get("/.secret")).status, 404, source);
      assert.equal((await get("/%2e%2e/%2e%2e/etc/passwd")).status, 404, source);
      assert.equal((await get("/a%2Fb")).status, 400, source);
      assert.equal((await get("/hello.txt", {}, "DELETE")).status, 405, source);
      const head = await get("/hello.txt", {}, "HEAD");
      assert.equal(head.headers.get("content-length"), "19");
      assert.equal(head.body.length, 0);
      if (source !== "assets") {
        const redirect = await get("/docs?x=1");
        assert.equal(redirect.status, 301, source);
        assert.equal(redirect.headers.get("location"), "/docs/?x=1");
        assert.equal((await get("/docs/")).text(), "<h1>docs</h1>\n", source);
        const listing = await get("/");
        assert.ok(listing.text().includes("docs/") && listing.text().includes("hello.txt"), source);
      }
    }
  } catch (error) {
    throw new Error(`${error}\n--- workerd output ---\n${workerd.output()}`);
  } finally {
    await workerd.close();
  }
}, { only: ["node"] });
