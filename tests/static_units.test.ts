// @workerd
/** The portable parts of serveStatic: parsers, negotiation, path checks, and the handler over a memory source. */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { parseRange } from "../src/static/range.ts";
import { etagListMatches, formatHttpDate, ifRangeMatches, parseHttpDate } from "../src/static/conditional.ts";
import { negotiateEncoding } from "../src/static/encoding.ts";
import { decodePath } from "../src/static/path.ts";
import { authority, pathAndQuery, rawPath as rawPathOf, rawQuery as rawQueryOf } from "../src/internal/url.ts";
import { contentTypeFor } from "../src/static/content_type.ts";
import { FINGERPRINT } from "../src/static/cache_control.ts";
import { escapeHtml } from "../src/internal/html.ts";
import { renderListing } from "../src/static/listing.ts";
import {
  FileAccessError,
  type FileSource,
  memorySource,
  serveStatic,
  staticFiles,
  type StaticManifest,
} from "../src/static/mod.ts";
import { isPass } from "../src/pass.ts";
import { bindContext, context } from "../src/context.ts";

const base64 = (text: string) => btoa(text);

test("range: single, open-ended, suffix, clamped", () => {
  assert.deepEqual(parseRange("bytes=0-499", 1000), [{ start: 0, end: 500 }]);
  assert.deepEqual(parseRange("bytes=500-", 1000), [{ start: 500, end: 1000 }]);
  assert.deepEqual(parseRange("bytes=-200", 1000), [{ start: 800, end: 1000 }]);
  assert.deepEqual(parseRange("bytes=-2000", 1000), [{ start: 0, end: 1000 }]);
  assert.deepEqual(parseRange("bytes=900-5000", 1000), [{ start: 900, end: 1000 }]);
  assert.deepEqual(parseRange("BYTES = 1-1", 10), [{ start: 1, end: 2 }]);
  assert.deepEqual(parseRange("bytes=0-0, 2-3", 10), [{ start: 0, end: 1 }, { start: 2, end: 4 }]);
});

test("range: unsatisfiable only when no range is satisfiable", () => {
  assert.equal(parseRange("bytes=1000-", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=0-", 0), "unsatisfiable");
  assert.equal(parseRange("bytes=99999999999999999999999-", 10), "unsatisfiable");
  assert.deepEqual(parseRange("bytes=2000-3000, 0-1", 1000), [{ start: 0, end: 2 }]);
});

test("range: malformed, other units, too many and overlapping ranges are ignored", () => {
  for (
    const bad of [
      "bytes=",
      "bytes=a-b",
      "bytes=5-1",
      "bytes=1-2-3",
      "items=0-1",
      "bytes 0-1",
      "bytes=-",
      "bytes=--1",
      "",
      "bytes=1.5-2",
      "bytes=0x1-2",
      "bytes=+1-2",
    ]
  ) {
    assert.equal(parseRange(bad, 1000), "ignore", bad);
  }
  const many = "bytes=" + Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(",");
  assert.equal(parseRange(many, 1000), "ignore");
  assert.equal(parseRange(many, 1000, 20).length, 17);
  assert.equal(parseRange("bytes=0-999,0-999", 1000), "ignore");
});

test("etag lists: weak comparison for If-None-Match, strong for If-Match", () => {
  const tag = '"abc-1"';
  assert.ok(etagListMatches('"abc-1"', tag, true));
  assert.ok(etagListMatches('W/"abc-1"', tag, true));
  assert.ok(!etagListMatches('W/"abc-1"', tag, false));
  assert.ok(etagListMatches('"x", "y" ,W/"abc-1"', tag, true));
  assert.ok(etagListMatches("*", tag, false));
  assert.ok(!etagListMatches('"abc-12"', tag, true));
  assert.ok(!etagListMatches('"abc-', tag, true));
  assert.ok(!etagListMatches("abc-1", tag, true));
  assert.ok(!etagListMatches("", tag, true));
  assert.ok(etagListMatches('garbage, "abc-1"', tag, true));
});

test("http dates: the three forms, strictly", () => {
  const t = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;
  assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), t);
  assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994"), t);
  for (
    const bad of [
      "",
      "yesterday",
      "Sun, 06 Nov 1994 08:49:37",
      "Sun, 31 Feb 1994 08:49:37 GMT",
      "1994-11-06T08:49:37Z",
      "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 25:49:37 GMT",
    ]
  ) {
    assert.equal(parseHttpDate(bad), undefined, bad);
  }
  assert.equal(formatHttpDate(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.ok(ifRangeMatches("Sun, 06 Nov 1994 08:49:37 GMT", '"x"', t));
  assert.ok(!ifRangeMatches("Sun, 06 Nov 1994 08:49:38 GMT", '"x"', t));
  assert.ok(ifRangeMatches('"x"', '"x"', t));
  assert.ok(!ifRangeMatches('W/"x"', '"x"', t));
});

test("accept-encoding: q-values, server preference on ties, identity and star", () => {
  const all = ["br", "zstd", "gzip"] as const;
  assert.equal(negotiateEncoding("gzip, deflate, br, zstd", all), "br");
  assert.equal(negotiateEncoding("gzip", all), "gzip");
  assert.equal(negotiateEncoding("x-gzip", all), "gzip");
  assert.equal(negotiateEncoding("br;q=0.5, gzip;q=0.8", all), "gzip");
  assert.equal(negotiateEncoding("br;q=0, gzip;q=0", all), "identity");
  assert.equal(negotiateEncoding("*", all), "br");
  assert.equal(negotiateEncoding("*;q=0.5, br;q=0", all), "zstd");
  assert.equal(negotiateEncoding("gzip;q=0.5, identity", all), "identity");
  assert.equal(negotiateEncoding("identity", all), "identity");
  assert.equal(negotiateEncoding("", all), "identity");
  assert.equal(negotiateEncoding(null, all), "identity");
  assert.equal(negotiateEncoding("br;q=bogus, gzip", all), "gzip");
  assert.equal(negotiateEncoding("GZIP;Q=1", ["gzip"]), "gzip");
  assert.equal(negotiateEncoding("br", ["gzip"]), "identity");
});

test("paths: decoded once, refused when ambiguous", () => {
  assert.deepEqual(decodePath("/a/b.txt"), ["a", "b.txt"]);
  assert.deepEqual(decodePath("/caf%C3%A9.txt"), ["café.txt"]);
  assert.deepEqual(decodePath("/a//./b/"), ["a", "b"]);
  assert.deepEqual(decodePath("/"), []);
  assert.deepEqual(decodePath("/a%20b"), ["a b"]);
  assert.deepEqual(decodePath("/%2525"), ["%25"]); // decoded once: double encoding stays literal
  for (
    const bad of [
      "/%zz",
      "/%",
      "/a%2Fb",
      "/a%2fb",
      "/a%5Cb",
      "/%00",
      "/a%0a",
      "/%C3%28",
      "/%C0%AE%C0%AE",
      "/%ED%A0%80",
      "/C:",
      "/c%3A",
      "/x::$DATA",
      "/%7F",
    ]
  ) {
    assert.equal(typeof decodePath(bad), "string", bad);
  }
  // Dot segments resolve as the URL standard does, and never above the root.
  assert.deepEqual(decodePath("/%2e%2e/x"), ["x"]);
  assert.deepEqual(decodePath("/a/%2E%2E"), []);
  assert.deepEqual(decodePath("/a/../../../b/./c"), ["b", "c"]);
});

test("paths: the raw path and query of a request URL without new URL", () => {
  assert.equal(rawPathOf("http://h:8/a/b%20c?x=1#f"), "/a/b%20c");
  assert.equal(rawPathOf("http://h/"), "/");
  assert.equal(rawPathOf("http://h/a#x?y"), "/a");
  assert.equal(rawQueryOf("http://h/a?x=1&y#f"), "?x=1&y");
  assert.equal(rawQueryOf("http://h/a"), "");
  assert.equal(pathAndQuery("http://h/a?x=1#f"), "/a?x=1");
  assert.equal(authority("https://u@h.example:8443/p?q"), "h.example:8443");
  assert.equal(authority("http://[::1]:80/"), "[::1]:80");
  // Schemes other than http(s), and URLs with no path at all.
  assert.equal(rawPathOf("https://h/s?q"), "/s");
  assert.equal(rawPathOf("ws://h/w"), "/w");
  assert.equal(rawPathOf("blob:x://h/b"), "/b");
  assert.equal(rawPathOf("http://h"), "/");
  assert.equal(rawPathOf("data:text/plain,a"), "/");
});

test("content types: mime-db, charset for text, octet-stream when unknown", () => {
  assert.equal(contentTypeFor("a.html"), "text/html; charset=utf-8");
  assert.equal(contentTypeFor("a.js"), "text/javascript; charset=utf-8");
  assert.equal(contentTypeFor("a.json"), "application/json; charset=utf-8");
  assert.equal(contentTypeFor("a.svg"), "image/svg+xml; charset=utf-8");
  assert.equal(contentTypeFor("a.png"), "image/png");
  assert.equal(contentTypeFor("a.wasm"), "application/wasm");
  assert.equal(contentTypeFor("a.woff2"), "font/woff2");
  assert.equal(contentTypeFor("Makefile"), "application/octet-stream");
});

test("fingerprints: hashed names are immutable, ordinary ones are not", () => {
  for (
    const yes of [
      "app.3f2a9c1b.js",
      "chunk-5d41402abc4b2a76.css",
      "assets/index-BGtDm5c1.js",
      "a.0123456789abcdef.woff2",
    ]
  ) {
    assert.ok(FINGERPRINT.test(yes), yes);
  }
  for (
    const no of [
      "app.js",
      "analysis.js",
      "jquery-3.7.1.min.js",
      "utf8test.js",
      "-analysis.js",
      "x-deadbeef.js",
      "logo.png",
      "20240101.txt",
    ]
  ) {
    assert.ok(!FINGERPRINT.test(no), no);
  }
});

test("listing: directories first, then names as a person sorts them (case ignored, numbers in order)", () => {
  const file = (name: string) => ({ name, kind: "file" as const, size: 1, mtimeMs: 0 });
  const names = ["README.md", "big.bin", "file10.txt", "file2.txt", "Zeta.txt", "alpha.txt", "zeta.txt"];
  const entries = [...names.map(file), { name: "src", kind: "directory" as const, size: 0, mtimeMs: NaN }];
  const html = renderListing("/", entries, true);
  const shown = [...html.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((match) => match[1]);
  assert.deepEqual(shown, [
    "src/",
    "alpha.txt",
    "big.bin",
    "file2.txt",
    "file10.txt",
    "README.md",
    "Zeta.txt",
    "zeta.txt",
  ]);
});

test("listing: names are escaped", () => {
  assert.equal(escapeHtml(`<a href="x">&'`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
});

const manifest: StaticManifest = {
  files: {
    "hello.txt": { size: 12, mtimeMs: Date.UTC(2024, 0, 1), etag: "h1", base64: base64("hello world\n") },
    "docs/index.html": { size: 6, mtimeMs: Date.UTC(2024, 0, 1), etag: "d1", base64: base64("<p>d\n") + "" },
    "app.js": { size: 8, mtimeMs: 0, etag: "j1", base64: base64("let a=1;") },
    "app.js.br": { size: 3, mtimeMs: 0, etag: "j2", base64: base64("BR!") },
  },
};
manifest.files["docs/index.html"].size = 5;

test("memory source: serves, validates, ranges, negotiates, redirects", async () => {
  const handler = serveStatic(memorySource(manifest));
  const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    handler(new Request(`http://x${path}`, { headers, method }));
  let response = await get("/hello.txt");
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "hello world\n");
  assert.equal(response.headers.get("etag"), '"h1"');
  assert.equal(response.headers.get("last-modified"), "Mon, 01 Jan 2024 00:00:00 GMT");
  response = await get("/hello.txt", { "if-none-match": 'W/"h1"' });
  assert.equal(response.status, 304);
  assert.equal(response.headers.get("etag"), '"h1"');
  response = await get("/hello.txt", { range: "bytes=-6" });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("content-range"), "bytes 6-11/12");
  assert.equal(await response.text(), "world\n");
  response = await get("/hello.txt", { "if-match": '"nope"' });
  assert.equal(response.status, 412);
  response = await get("/app.js", { "accept-encoding": "gzip, br" });
  assert.equal(response.headers.get("content-encoding"), "br");
  assert.equal(response.headers.get("etag"), '"j2-br"');
  assert.equal(response.headers.get("vary"), "Accept-Encoding");
  assert.equal(await response.text(), "BR!");
  response = await get("/docs?a=1");
  assert.equal(response.status, 301);
  assert.equal(response.headers.get("location"), "/docs/?a=1");
  response = await get("/docs/");
  assert.equal(await response.text(), "<p>d\n");
  assert.equal((await get("/nope")).status, 404);
  assert.equal((await get("/hello.txt", {}, "DELETE")).status, 405);
});

test("memory source: a directory redirect includes the mount prefix", async () => {
  const handler = serveStatic(memorySource(manifest));
  const request = new Request("http://x/docs?q=%20");
  context(request).base = "/static";
  const response = await handler(request);
  assert.equal(response.headers.get("location"), "/static/docs/?q=%20");
  // Mounted at /static and asked for /static: mount hands over "/", the redirect adds the slash.
  const bare = new Request("http://x/?v=2");
  bindContext(bare, { base: "/static", originalUrl: "http://x/static?v=2" });
  const toRoot = await handler(bare);
  assert.equal(toRoot.status, 301);
  assert.equal(toRoot.headers.get("location"), "/static/?v=2");
  const withSlash = new Request("http://x/");
  bindContext(withSlash, { base: "/static", originalUrl: "http://x/static/" });
  assert.equal((await handler(withSlash)).status, 404, "the manifest root has no index.html");
  const slashes = await handler(new Request("http://x//docs"));
  assert.equal(slashes.status, 301);
  assert.equal(slashes.headers.get("location"), "/docs/");
});

test("fallthrough: misses and other methods pass; staticFiles hands them to the app", async () => {
  const files = serveStatic(memorySource(manifest), { fallthrough: true });
  assert.ok(isPass(await files(new Request("http://x/nope"))));
  assert.ok(isPass(await files(new Request("http://x/hello.txt", { method: "POST" }))));
  assert.ok(isPass(await files(new Request("http://x/a%2Fb"))));
  const app = staticFiles(memorySource(manifest))(() => new Response("app"));
  assert.equal(await (await app(new Request("http://x/hello.txt"))).text(), "hello world\n");
  assert.equal(await (await app(new Request("http://x/missing"))).text(), "app");
  assert.equal(await (await app(new Request("http://x/hello.txt", { method: "PUT", body: "x" }))).text(), "app");
});

test("errors: a failing source is a 500 without details, reported once per distinct error", async () => {
  const reported: unknown[] = [];
  const source: FileSource = {
    stat: () => Promise.reject(new Error("disk on fire at /secret/path")),
    body: () => new Uint8Array(0),
    read: () => Promise.resolve(new Uint8Array(0)),
  };
  const handler = serveStatic(source, { onError: (error) => reported.push(error) });
  for (let i = 0; i < 3; i++) {
    const response = await handler(new Request("http://x/a.txt"));
    assert.equal(response.status, 500);
    const body = await response.text();
    assert.ok(!body.includes("secret") && !body.includes("fire"), body);
  }
  assert.equal(reported.length, 1);
});

test("errors: a FileAccessError is a bare 403 (or 404), never a 500", async () => {
  const source: FileSource = {
    stat: (path) =>
      path === "locked.txt"
        ? Promise.reject(new FileAccessError("EACCES: permission denied, open '/srv/locked.txt'"))
        : Promise.resolve({ kind: "file", size: 1, mtimeMs: 0 }),
    body: () => Promise.reject(new FileAccessError("vanished", 404)),
    read: () => Promise.reject(new FileAccessError("vanished", 404)),
  };
  const handler = serveStatic(source, { onError: () => assert.fail("not an unexpected error") });
  const locked = await handler(new Request("http://x/locked.txt"));
  assert.equal(locked.status, 403);
  assert.ok(!(await locked.text()).includes("/srv"));
  assert.equal((await handler(new Request("http://x/gone.txt"))).status, 404);
});

test("options: bad values are TypeErrors naming the option", () => {
  const source = memorySource(manifest);
  assert.throws(() => serveStatic(42 as never), { name: "TypeError", message: /root/ });
  assert.throws(() => serveStatic(""), { name: "TypeError", message: /root/ });
  assert.throws(() => serveStatic(source, { index: "index.html" as never }), { message: /options\.index/ });
  assert.throws(() => serveStatic(source, { dotfiles: "show" as never }), { message: /options\.dotfiles/ });
  assert.throws(() => serveStatic(source, { precompressed: ["deflate"] as never }), { message: /precompressed/ });
  assert.throws(() => serveStatic(source, { maxRanges: 0 }), { message: /maxRanges/ });
  assert.throws(() => serveStatic(source, { cache: { maxBytes: -1 } }), { message: /cache\.maxBytes/ });
  assert.throws(() => serveStatic(source, { cacheControl: 5 as never }), { message: /cacheControl/ });
  assert.throws(() => memorySource({} as never), { name: "TypeError", message: /manifest/ });
});
