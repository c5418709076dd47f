/** serveStatic over real files and real sockets, on Node, Deno and Bun: every rule of the issue. */
import assert from "node:assert/strict";
import { chmodSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { rawRequest } from "./_lib/static_http.ts";
import { makeFixture, MTIME, pattern } from "./_lib/static_fixture.ts";
import { serveStatic, type ServeStaticOptions, staticFiles } from "../src/static/mod.ts";
import { context } from "../src/context.ts";
import { mount } from "../src/dispatch/mount.ts";
import type { Handler } from "../src/handler.ts";

const fx = makeFixture();
const LAST_MODIFIED = MTIME.toUTCString();
const BIG = pattern(3 * 1024 * 1024 + 17); // above the body cache limit: streamed from the file
fx.write("hello.txt", "hello world\n");
fx.write("empty.txt", "");
fx.write("big.bin", BIG);
fx.write("page.html", "<!doctype html><p>hi</p>\n");
fx.write("app.js", "console.log('plain');\n".repeat(20));
fx.write("app.js.br", "BROTLI-BYTES");
fx.write("app.js.gz", "GZIP-BYTES!!");
fx.write("app.3f2a9c1b.js", "hashed\n");
fx.write("docs/index.html", "<h1>docs</h1>\n");
fx.write("docs/guide.txt", "guide\n");
fx.write("bare/a.txt", "a\n");
fx.write("bare/<script>x.txt", "xss name\n");
fx.write("bare/sub/b.txt", "b\n");
fx.write(".env", "SECRET=1\n");
fx.write(".git/config", "[core]\n");
fx.write("café.txt", "nfc\n");
fx.write("cafe\u0301-nfd.txt", "nfd\n");
fx.write("space name.txt", "spaced\n");
fx.write("café-dir/index.html", "<p>café</p>\n");

const serveWith = <T>(options: ServeStaticOptions, body: (url: URL) => Promise<T>, wrap?: (h: Handler) => Handler) => {
  const handler = serveStatic(fx.root, options);
  return withServer(wrap ? wrap(handler) : handler, body);
};
const get = (url: URL, target: string, headers: Record<string, string> = {}, method = "GET") =>
  rawRequest(url, target, headers, method);

test("static: a file with its type, length, validators and caching headers", () =>
  serveWith({}, async (url) => {
    const r = await get(url, "/hello.txt");
    assert.equal(r.status, 200);
    assert.equal(r.text(), "hello world\n");
    assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(r.headers.get("content-length"), "12");
    assert.match(r.headers.get("etag")!, /^"[^"]+"$/);
    assert.equal(r.headers.get("last-modified"), LAST_MODIFIED);
    assert.equal(r.headers.get("accept-ranges"), "bytes");
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    assert.equal(r.headers.get("cache-control"), "public, no-cache");
    assert.equal(r.headers.has("vary"), false);
    assert.equal((await get(url, "/page.html")).headers.get("content-type"), "text/html; charset=utf-8");
    const empty = await get(url, "/empty.txt");
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get("content-length"), "0");
  }));

test("static: a large file streams whole and intact", () =>
  serveWith({}, async (url) => {
    const r = await get(url, "/big.bin");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-length"), String(BIG.length));
    assert.equal(r.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(r.body, BIG);
  }));

test("static: HEAD has the GET headers and no body", () =>
  serveWith({}, async (url) => {
    for (const path of ["/hello.txt", "/big.bin", "/app.js"]) {
      const full = await get(url, path);
      const head = await get(url, path, {}, "HEAD");
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      const comparable = (headers: Map<string, string>) =>
        [...headers].filter(([name]) => !["date", "connection", "keep-alive"].includes(name)).sort();
      assert.deepEqual(comparable(head.headers), comparable(full.headers), path);
    }
    const ranged = await get(url, "/hello.txt", { range: "bytes=0-1" }, "HEAD");
    assert.equal(ranged.status, 200, "Range is only defined for GET");
  }));

test("static: other methods are 405 with Allow", () =>
  serveWith({}, async (url) => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const r = await get(url, "/hello.txt", { "content-length": "0" }, method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get("allow"), "GET, HEAD");
    }
  }));

test("static: If-None-Match (weak comparison, lists, *) wins over If-Modified-Since", () =>
  serveWith({}, async (url) => {
    const etag = (await get(url, "/hello.txt")).headers.get("etag")!;
    for (const value of [etag, `W/${etag}`, `"zzz", ${etag}`, "*"]) {
      const r = await get(url, "/hello.txt", { "if-none-match": value });
      assert.equal(r.status, 304, value);
      assert.equal(r.body.length, 0);
      assert.equal(r.headers.get("etag"), etag);
      assert.equal(r.headers.get("cache-control"), "public, no-cache");
      assert.equal(r.headers.get("last-modified"), LAST_MODIFIED);
    }
    const stale = await get(url, "/hello.txt", {
      "if-none-match": '"other"',
      "if-modified-since": new Date(Date.now() + 86_400_000).toUTCString(),
    });
    assert.equal(stale.status, 200, "If-Modified-Since is ignored when If-None-Match is present");
  }));

test("static: If-Modified-Since, equal or later is 304, earlier or invalid is 200", () =>
  serveWith({}, async (url) => {
    const at = (ms: number) => new Date(MTIME.getTime() + ms).toUTCString();
    assert.equal((await get(url, "/hello.txt", { "if-modified-since": LAST_MODIFIED })).status, 304);
    assert.equal((await get(url, "/hello.txt", { "if-modified-since": at(60_000) })).status, 304);
    assert.equal((await get(url, "/hello.txt", { "if-modified-since": at(-1000) })).status, 200);
    assert.equal((await get(url, "/hello.txt", { "if-modified-since": "not a date" })).status, 200);
    assert.equal((await get(url, "/big.bin", { "if-modified-since": LAST_MODIFIED })).status, 304);
  }));

test("static: If-Match and If-Unmodified-Since fail with 412", () =>
  serveWith({}, async (url) => {
    const etag = (await get(url, "/hello.txt")).headers.get("etag")!;
    assert.equal((await get(url, "/hello.txt", { "if-match": '"nope"' })).status, 412);
    assert.equal((await get(url, "/hello.txt", { "if-match": `W/${etag}` })).status, 412, "strong comparison");
    assert.equal((await get(url, "/hello.txt", { "if-match": etag })).status, 200);
    assert.equal((await get(url, "/hello.txt", { "if-match": "*" })).status, 200);
    const before = new Date(MTIME.getTime() - 1000).toUTCString();
    assert.equal((await get(url, "/hello.txt", { "if-unmodified-since": before })).status, 412);
    assert.equal((await get(url, "/hello.txt", { "if-unmodified-since": LAST_MODIFIED })).status, 200);
    assert.equal(
      (await get(url, "/hello.txt", { "if-match": etag, "if-unmodified-since": before })).status,
      200,
      "If-Unmodified-Since is ignored when If-Match is present",
    );
  }));

test("static: single, suffix and open-ended ranges, cached and streamed", () =>
  serveWith({}, async (url) => {
    for (
      const [path, bytes] of [["/hello.txt", new TextEncoder().encode("hello world\n")], ["/big.bin", BIG]] as const
    ) {
      const size = bytes.length;
      const cases: [string, number, number][] = [
        ["bytes=0-4", 0, 5],
        ["bytes=6-", 6, size],
        ["bytes=-5", size - 5, size],
        ["bytes=3-100000000", 3, size],
      ];
      for (const [range, start, end] of cases) {
        const r = await get(url, path, { range });
        assert.equal(r.status, 206, `${path} ${range}`);
        assert.equal(r.headers.get("content-range"), `bytes ${start}-${end - 1}/${size}`);
        assert.equal(r.headers.get("content-length"), String(end - start));
        assert.deepEqual(r.body, bytes.subarray(start, end), `${path} ${range}`);
      }
      const unsatisfiable = await get(url, path, { range: `bytes=${size}-` });
      assert.equal(unsatisfiable.status, 416);
      assert.equal(unsatisfiable.headers.get("content-range"), `bytes */${size}`);
      const malformed = await get(url, path, { range: "bytes=oops" });
      assert.equal(malformed.status, 200);
      assert.equal(malformed.body.length, size);
    }
    assert.equal((await get(url, "/empty.txt", { range: "bytes=0-" })).status, 416);
  }));

function parseMultipart(body: Uint8Array, contentType: string): { range: string; bytes: Uint8Array }[] {
  const boundary = /boundary=(\S+)/.exec(contentType)![1];
  const text = new TextDecoder("latin1").decode(body);
  const parts = text.split(`--${boundary}`);
  assert.equal(parts.at(-1), "--\r\n");
  return parts.slice(1, -1).map((part) => {
    const [head, ...rest] = part.split("\r\n\r\n");
    const data = rest.join("\r\n\r\n").replace(/\r\n$/, "");
    return {
      range: /content-range: (.+)/i.exec(head)![1].trim(),
      bytes: Uint8Array.from(data, (c) => c.charCodeAt(0)),
    };
  });
}

test("static: multiple ranges are multipart/byteranges; too many are ignored", () =>
  serveWith({}, async (url) => {
    for (
      const [path, bytes] of [["/hello.txt", new TextEncoder().encode("hello world\n")], ["/big.bin", BIG]] as const
    ) {
      const r = await get(url, path, { range: "bytes=0-1, 4-6, -2" });
      assert.equal(r.status, 206);
      const type = r.headers.get("content-type")!;
      assert.match(type, /^multipart\/byteranges; boundary=/);
      if (r.headers.has("content-length")) assert.equal(Number(r.headers.get("content-length")), r.body.length);
      const parts = parseMultipart(r.body, type);
      const size = bytes.length;
      assert.deepEqual(parts.map((p) => p.range), [
        "bytes 0-1/" + size,
        "bytes 4-6/" + size,
        `bytes ${size - 2}-${size - 1}/${size}`,
      ]);
      assert.deepEqual(parts[1].bytes, bytes.subarray(4, 7));
      assert.deepEqual(parts[2].bytes, bytes.subarray(size - 2));
    }
    const many = "bytes=" + Array.from({ length: 17 }, (_, i) => `${i}-${i}`).join(",");
    assert.equal((await get(url, "/big.bin", { range: many })).status, 200);
  }));

test("static: If-Range with the current ETag or date gives the range, otherwise the whole file", () =>
  serveWith({}, async (url) => {
    const etag = (await get(url, "/big.bin")).headers.get("etag")!;
    assert.equal((await get(url, "/big.bin", { range: "bytes=0-9", "if-range": etag })).status, 206);
    assert.equal((await get(url, "/big.bin", { range: "bytes=0-9", "if-range": LAST_MODIFIED })).status, 206);
    const changed = await get(url, "/big.bin", { range: "bytes=0-9", "if-range": '"old"' });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.length, BIG.length);
    assert.equal((await get(url, "/big.bin", { range: "bytes=0-9", "if-range": `W/${etag}` })).status, 200);
  }));

test("static: precompressed siblings by Accept-Encoding, with Vary and distinct ETags", () =>
  serveWith({}, async (url) => {
    const plain = await get(url, "/app.js");
    const br = await get(url, "/app.js", { "accept-encoding": "gzip, deflate, br, zstd" });
    const gz = await get(url, "/app.js", { "accept-encoding": "gzip" });
    const prefersGzip = await get(url, "/app.js", { "accept-encoding": "br;q=0.5, gzip" });
    const refused = await get(url, "/app.js", { "accept-encoding": "br;q=0, gzip;q=0" });
    assert.equal(plain.headers.has("content-encoding"), false);
    assert.equal(plain.text(), "console.log('plain');\n".repeat(20));
    assert.equal(br.headers.get("content-encoding"), "br");
    assert.equal(br.text(), "BROTLI-BYTES");
    assert.equal(br.headers.get("content-length"), "12");
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    assert.equal(gz.text(), "GZIP-BYTES!!");
    assert.equal(prefersGzip.headers.get("content-encoding"), "gzip");
    assert.equal(refused.headers.has("content-encoding"), false);
    for (const r of [plain, br, gz]) {
      assert.equal(r.headers.get("vary"), "Accept-Encoding");
      assert.equal(r.headers.get("content-type"), "text/javascript; charset=utf-8");
    }
    assert.equal(new Set([plain, br, gz].map((r) => r.headers.get("etag"))).size, 3);
    const notModified = await get(url, "/app.js", {
      "accept-encoding": "br",
      "if-none-match": br.headers.get("etag")!,
    });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get("vary"), "Accept-Encoding");
    const crossed = await get(url, "/app.js", { "accept-encoding": "gzip", "if-none-match": br.headers.get("etag")! });
    assert.equal(crossed.status, 200, "the br ETag does not validate the gzip representation");
  }));

test("static: Cache-Control is immutable for fingerprinted names, configurable", async () => {
  await serveWith({}, async (url) => {
    assert.equal(
      (await get(url, "/app.3f2a9c1b.js")).headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
  });
  await serveWith({ cacheControl: "public, max-age=60" }, async (url) => {
    assert.equal((await get(url, "/hello.txt")).headers.get("cache-control"), "public, max-age=60");
  });
  await serveWith({ cacheControl: (path) => (path.endsWith(".html") ? "no-store" : undefined) }, async (url) => {
    assert.equal((await get(url, "/page.html")).headers.get("cache-control"), "no-store");
    assert.equal((await get(url, "/hello.txt")).headers.has("cache-control"), false);
  });
});

test("static: index files, and the slash redirect built from the mount prefix with the query", async () => {
  await serveWith({}, async (url) => {
    const index = await get(url, "/docs/");
    assert.equal(index.status, 200);
    assert.equal(index.text(), "<h1>docs</h1>\n");
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    const redirect = await get(url, "/docs?x=1&y=%20");
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/docs/?x=1&y=%20");
    assert.equal((await get(url, "/")).status, 404, "the root has no index.html");
    assert.equal((await get(url, "/bare/")).status, 404, "no listing by default");
    assert.equal((await get(url, "/hello.txt/")).status, 404, "a file is not a directory");
    assert.equal((await get(url, "//evil.example")).headers.get("location") ?? "", "", "no open redirect");
    const raw = await get(url, "/caf\u00e9-dir?q=\u00e9"); // raw UTF-8 in the request line
    if (raw.status !== 400) { // node:http refuses it outright; Deno and Bun pass it on
      assert.equal(raw.status, 301);
      assert.equal(raw.headers.get("location"), "/caf%C3%A9-dir/?q=%C3%A9");
    }
  });
  const mounted = (handler: Handler): Handler => (request) => {
    context(request).base = "/static";
    return handler(request);
  };
  await serveWith({}, async (url) => {
    const redirect = await get(url, "/docs?x=1");
    assert.equal(redirect.headers.get("location"), "/static/docs/?x=1");
  }, mounted);
  await serveWith({ index: false }, async (url) => {
    assert.equal((await get(url, "/docs/")).status, 404);
  });
});

test("static: the optional listing is sorted, escaped, with sizes", () =>
  serveWith({ listing: true }, async (url) => {
    const r = await get(url, "/bare/");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
    const html = r.text();
    assert.ok(html.includes("&lt;script&gt;x.txt"), "names are escaped");
    assert.ok(!html.includes("<script>"), "no raw markup from names");
    assert.ok(html.includes('href="./%3Cscript%3Ex.txt"'));
    const order = ["sub/", "&lt;script&gt;x.txt", "a.txt"].map((name) => html.indexOf(`>${name}<`));
    assert.ok(order.every((at) => at > 0) && order[0] < order[1] && order[1] < order[2], `sorted: ${order}`);
    assert.ok(html.includes("2 B"));
    const root = (await get(url, "/")).text();
    assert.ok(!root.includes(".env") && !root.includes(".git"), "dotfiles are not listed");
  }));

test("static: dotfiles are 404 by default, 403 when denied, served when allowed", async () => {
  await serveWith({}, async (url) => {
    for (const path of ["/.env", "/.git/config", "/.git/", "/docs/../.env", "/%2eenv"]) {
      assert.equal((await get(url, path)).status, 404, path);
    }
  });
  await serveWith({ dotfiles: "deny" }, async (url) => {
    assert.equal((await get(url, "/.env")).status, 403);
  });
  await serveWith({ dotfiles: "allow" }, async (url) => {
    assert.equal((await get(url, "/.env")).text(), "SECRET=1\n");
  });
});

test("static: non-ASCII names in NFC and NFD, and escaped spaces", () =>
  serveWith({}, async (url) => {
    assert.equal((await get(url, "/caf%C3%A9.txt")).text(), "nfc\n");
    assert.equal((await get(url, "/cafe%CC%81.txt")).text(), "nfc\n", "NFD request finds the NFC name");
    assert.equal((await get(url, "/cafe%CC%81-nfd.txt")).text(), "nfd\n");
    assert.equal((await get(url, "/caf%C3%A9-nfd.txt")).text(), "nfd\n", "NFC request finds the NFD name");
    assert.equal((await get(url, "/space%20name.txt")).text(), "spaced\n");
  }));

test("static: malformed paths are 400 and no error body reveals a filesystem path", () =>
  serveWith({}, async (url) => {
    for (const path of ["/%zz", "/a%2Fhello.txt", "/%5Chello.txt", "/hello.txt%00", "/%C3%28", "/%C0%AE%C0%AE/x"]) {
      const r = await get(url, path);
      assert.equal(r.status, 400, path);
      assert.ok(!r.text().includes(fx.root), path);
    }
    for (const path of ["/nope", "/docs/nope/deeper", "/.env", "/hello.txt/inner" /* ENOTDIR */]) {
      const r = await get(url, path);
      assert.equal(r.status, 404);
      assert.ok(!r.text().includes("/tmp") && !r.text().includes(fx.root));
    }
  }));

test("static: symlinks are followed only inside the root unless configured", async () => {
  fx.link("inside-link.txt", join(fx.root, "hello.txt"));
  fx.link("outside-link.txt", join(fx.outside, "secret.txt"));
  fx.link("outside-dir", fx.outside);
  await serveWith({}, async (url) => {
    assert.equal((await get(url, "/inside-link.txt")).text(), "hello world\n");
    assert.equal((await get(url, "/outside-link.txt")).status, 404);
    assert.equal((await get(url, "/outside-dir/secret.txt")).status, 404);
  });
  await serveWith({ followSymlinks: true }, async (url) => {
    assert.equal((await get(url, "/outside-link.txt")).text(), "TOP SECRET\n");
  });
});

test("static: a permission error is 403", async () => {
  const isRoot = (globalThis as { process?: { getuid?: () => number } }).process?.getuid?.() === 0;
  if (isRoot) {
    console.log("skipped: running as root, file permissions are not enforced");
    return;
  }
  const file = fx.write("locked/secret.txt", "x");
  chmodSync(join(fx.root, "locked"), 0o000);
  try {
    await serveWith({}, async (url) => {
      assert.equal((await get(url, "/locked/secret.txt")).status, 403);
    });
  } finally {
    chmodSync(join(fx.root, "locked"), 0o755);
    rmSync(file);
  }
});

test("static: changes on disk are seen after the stat TTL; the body cache stays bounded", () =>
  serveWith({ cache: { statTtl: 30, maxBytes: 64, maxFileBytes: 32 } }, async (url) => {
    const file = fx.write("changing.txt", "version one\n");
    const first = await get(url, "/changing.txt");
    assert.equal(first.text(), "version one\n");
    writeFileSync(file, "version two, longer\n");
    utimesSync(file, new Date(MTIME.getTime() + 5000), new Date(MTIME.getTime() + 5000));
    await new Promise((r) => setTimeout(r, 60));
    const second = await get(url, "/changing.txt");
    assert.equal(second.text(), "version two, longer\n");
    assert.notEqual(second.headers.get("etag"), first.headers.get("etag"));
    assert.equal((await get(url, "/changing.txt", { "if-none-match": first.headers.get("etag")! })).status, 200);
    rmSync(file);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal((await get(url, "/changing.txt")).status, 404);
    for (let i = 0; i < 5; i++) assert.equal((await get(url, "/hello.txt")).text(), "hello world\n");
    assert.equal((await get(url, "/page.html")).text(), "<!doctype html><p>hi</p>\n");
  }));

test("static: the body cache keeps recently used files within its budget", async () => {
  // Probe: rewrite files in place with the same size and mtime. A body still in
  // memory keeps answering the old bytes; an evicted one is read again from disk.
  const factor = runtime === "deno" || runtime === "bun" ? 2 : 1; // a ready Response holds a copy there
  const names = ["lru-a.txt", "lru-b.txt", "lru-c.txt"];
  const files = names.map((name) => fx.write(name, `${name} old `.padEnd(100, ".")));
  const options = { cache: { statTtl: 60_000, maxBytes: factor * 250, maxFileBytes: 1000 } };
  await serveWith(options, async (url) => {
    for (const name of ["lru-a.txt", "lru-b.txt", "lru-a.txt", "lru-c.txt"]) await get(url, `/${name}`);
    for (const [i, file] of files.entries()) {
      writeFileSync(file, `${names[i]} new `.padEnd(100, "."));
      utimesSync(file, MTIME, MTIME);
    }
    assert.match((await get(url, "/lru-a.txt")).text(), /old/, "a was used again, so it stayed");
    assert.match((await get(url, "/lru-c.txt")).text(), /old/, "c is the newest");
    assert.match((await get(url, "/lru-b.txt")).text(), /new/, "b was the least recently used, so it went");
  });
});

test("static: with caches off every request reads the disk", () =>
  serveWith({ cache: false }, async (url) => {
    const file = fx.write("uncached.txt", "one\n");
    assert.equal((await get(url, "/uncached.txt")).text(), "one\n");
    writeFileSync(file, "two\n");
    assert.equal((await get(url, "/uncached.txt")).text(), "two\n");
  }));

test("static: fallthrough mode and staticFiles in front of an app", async () => {
  const app: Handler = (request) => new Response(`app saw ${request.method} ${new URL(request.url).pathname}`);
  await withServer(staticFiles(fx.root)(app), async (url) => {
    assert.equal((await get(url, "/hello.txt")).text(), "hello world\n");
    assert.equal((await get(url, "/api/users")).text(), "app saw GET /api/users");
    assert.equal((await get(url, "/hello.txt", { "content-length": "0" }, "POST")).text(), "app saw POST /hello.txt");
    assert.equal((await get(url, "/.env")).text(), "app saw GET /.env");
    assert.equal((await get(url, "/api/a%2Fb")).text(), "app saw GET /api/a%2Fb");
    assert.equal((await get(url, "/hello.txt", { "if-none-match": "*" })).status, 304);
  });
});

test("static: mounted with mount(): prefix stripped, redirects under the prefix, misses stay 404 unless fallthrough", async () => {
  const app: Handler = (request) => new Response(`app: ${new URL(request.url).pathname}`);
  await withServer(mount({ "/static": serveStatic(fx.root), "/": app }), async (url) => {
    assert.equal((await get(url, "/static/hello.txt")).text(), "hello world\n");
    assert.equal((await get(url, "/static/docs?q=1")).headers.get("location"), "/static/docs/?q=1");
    assert.equal((await get(url, "/static/docs/")).text(), "<h1>docs</h1>\n");
    assert.equal((await get(url, "/static/missing.txt")).status, 404);
    assert.equal((await get(url, "/other")).text(), "app: /other");
  });
  await withServer(mount({ "/static": serveStatic(fx.root, { fallthrough: true }), "/": app }), async (url) => {
    assert.equal((await get(url, "/static/hello.txt")).text(), "hello world\n");
    assert.equal((await get(url, "/static/missing.txt")).text(), "app: /static/missing.txt");
  });
});

test("static: a missing root is a 500 without details, logged once", async () => {
  const errors: unknown[] = [];
  const handler = serveStatic(join(fx.root, "no-such-folder"), { onError: (error) => errors.push(error) });
  await withServer(handler, async (url) => {
    for (let i = 0; i < 3; i++) {
      const r = await get(url, "/hello.txt");
      assert.equal(r.status, 500);
      assert.ok(!r.text().includes("no-such-folder"));
    }
  });
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /root folder/);
});

test("static: cleanup", () => fx.remove());
