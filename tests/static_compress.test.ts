// @workerd
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { decodedBody } from "./_lib/decompress.ts";
import { memorySource, serveStatic, type StaticManifest } from "../src/static/mod.ts";

const PAGE = "<p>a paragraph of a static page, served compressed on the fly</p>\n".repeat(100);
const bytesBase64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const entry = (text: string, etag: string) => ({
  size: new TextEncoder().encode(text).length,
  mtimeMs: Date.UTC(2024, 0, 1),
  etag,
  base64: bytesBase64(text),
});
const manifest: StaticManifest = {
  files: {
    "page.html": entry(PAGE, "p1"),
    "small.css": entry("a{color:red}", "s1"),
    "tile.png": entry(PAGE, "i1"),
    "app.js": entry(PAGE, "j1"),
    "app.js.gz": entry("not really gzip", "j2"),
  },
} as unknown as StaticManifest;

const get = (handler: (r: Request) => Response | Promise<Response>, path: string, headers: Record<string, string>) =>
  handler(new Request(`http://x${path}`, { headers }));

test("serveStatic compress: a text file without a sibling is compressed, its copy kept, tags weak", async () => {
  const files = serveStatic(memorySource(manifest), { compress: true });
  const first = await get(files, "/page.html", { "accept-encoding": "gzip" });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("content-encoding"), "gzip");
  assert.equal(first.headers.get("etag"), 'W/"p1"');
  assert.equal(first.headers.get("vary"), "Accept-Encoding");
  assert.equal(first.headers.get("accept-ranges"), null);
  const length = Number(first.headers.get("content-length"));
  assert.ok(length > 0 && length < PAGE.length / 10, `${length} bytes`);
  assert.equal(await decodedBody(first), PAGE);
  const again = get(files, "/page.html", { "accept-encoding": "gzip" });
  assert.ok(!(again instanceof Promise), "a kept copy is answered synchronously");
  assert.equal(await decodedBody(await again), PAGE);
  const revalidated = await get(files, "/page.html", { "accept-encoding": "gzip", "if-none-match": 'W/"p1"' });
  assert.equal(revalidated.status, 304);
});

test("serveStatic compress: siblings first, then identity for small, incompressible or unaccepted", async () => {
  const files = serveStatic(memorySource(manifest), { compress: true });
  const sibling = await get(files, "/app.js", { "accept-encoding": "gzip" });
  assert.equal(await sibling.text(), "not really gzip", "the precompressed sibling wins");
  const deflated = await get(files, "/app.js", { "accept-encoding": "deflate" });
  assert.equal(deflated.headers.get("content-encoding"), "deflate", "a coding no sibling has: on the fly");
  assert.equal(await decodedBody(deflated), PAGE);
  for (
    const [path, headers] of [
      ["/small.css", { "accept-encoding": "gzip" }],
      ["/tile.png", {
        "accept-encoding": "gzip",
      }],
      ["/page.html", { "accept-encoding": "gzip;q=abc, ;;;" }],
      ["/page.html", {}],
    ] as const
  ) {
    const response = await get(files, path, headers);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("content-encoding"), null, `${path} ${JSON.stringify(headers)}`);
    await response.body?.cancel();
  }
  const ranged = await get(files, "/page.html", { "accept-encoding": "gzip", range: "bytes=0-9" });
  assert.equal(ranged.status, 206);
  assert.equal(await ranged.text(), PAGE.slice(0, 10));
});

test("serveStatic compress: off by default, and a non-boolean is a TypeError", async () => {
  const files = serveStatic(memorySource(manifest));
  const response = await get(files, "/page.html", { "accept-encoding": "gzip" });
  assert.equal(response.headers.get("content-encoding"), null);
  assert.equal(await response.text(), PAGE);
  assert.throws(() => serveStatic(memorySource(manifest), { compress: "gzip" as never }), /options\.compress/);
});
