/**
 * serveStatic's cached answers (src/static/hot.ts; on fetchkit's Node server
 * written from a head block encoded once, src/node/prepared_write.ts) say
 * exactly what the full path says: every case below is asked of a server
 * whose cache holds the file and of one with the cache off, over raw TCP, on
 * Node, Deno and Bun; then how the Node short way keeps connections.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { exchange, rawSocket } from "./_lib/raw_http.ts";
import { rawRequest, type RawResponse } from "./_lib/static_http.ts";
import { makeFixture, pattern } from "./_lib/static_fixture.ts";
import { serveStatic } from "../src/static/mod.ts";
import type { Handler } from "../src/handler.ts";
import { context } from "../src/context.ts";
import { CLONE_TEMPLATES, StaticCache } from "../src/static/cache.ts";
import { fileEntry } from "../src/static/variant.ts";
import type { FileSource } from "../src/static/source.ts";

const fx = makeFixture();
const BYTES = pattern(1000);
fx.write("file.bin", BYTES);

/** The parts of an answer that must not differ: status, headers but the connection's own, body. */
function shape(response: RawResponse): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (name !== "date" && name !== "connection" && name !== "keep-alive") headers[name] = value;
  }
  let body = new TextDecoder("latin1").decode(response.body);
  // A multipart answer's boundary is new each time.
  const boundary = /boundary=(\S+)/.exec(headers["content-type"] ?? "")?.[1];
  if (boundary !== undefined) {
    headers["content-type"] = headers["content-type"].replace(boundary, "BOUNDARY");
    body = body.replaceAll(boundary, "BOUNDARY");
    // Bun frames a streamed multipart body (the uncached one) with chunks, a whole one with a length.
    delete headers["content-length"];
    delete headers["transfer-encoding"];
  }
  return { status: response.status, headers, body };
}

/** Asks `url` for the file once so its entry and body are cached; the answer must be a whole 200. */
async function warm(url: URL): Promise<void> {
  const first = await rawRequest(url, "/file.bin");
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, BYTES);
}

/** A cached server and an uncached one, side by side. */
async function withBoth(body: (cached: URL, uncached: URL) => Promise<void>, wrap = (h: Handler) => h): Promise<void> {
  await withServer(
    wrap(serveStatic(fx.root)),
    (cached) => withServer(wrap(serveStatic(fx.root, { cache: false })), (uncached) => body(cached, uncached)),
  );
}

const etagOf = async (url: URL) => (await rawRequest(url, "/file.bin", {}, "HEAD")).headers.get("etag")!;

/** Request headers, the status both must answer, and a check of what only this case shows. */
const cases: [string, (etag: string) => Record<string, string>, number, string?][] = [
  ["plain GET", () => ({}), 200],
  ["If-None-Match, matching", (etag) => ({ "if-none-match": etag }), 304],
  ["If-None-Match, weak and in a list", (etag) => ({ "if-none-match": `"other", W/${etag}` }), 304],
  ["If-None-Match, another tag", () => ({ "if-none-match": '"other"' }), 200],
  ["If-None-Match: *", () => ({ "if-none-match": "*" }), 304],
  ["If-None-Match wins over If-Modified-Since", () => ({
    "if-none-match": '"other"',
    "if-modified-since": "Fri, 01 Mar 2030 12:00:00 GMT",
  }), 200],
  ["If-Modified-Since only", () => ({ "if-modified-since": "Fri, 01 Mar 2030 12:00:00 GMT" }), 304],
  ["If-Match, another tag", () => ({ "if-match": '"other"' }), 412],
  ["one range", () => ({ range: "bytes=100-199" }), 206, "content-range"],
  ["the first byte", () => ({ range: "bytes=0-0" }), 206, "content-range"],
  ["a suffix range", () => ({ range: "bytes=-5" }), 206, "content-range"],
  ["an open range past the end of a shorter answer", () => ({ range: "bytes=990-5000" }), 206, "content-range"],
  ["a range with spaces", () => ({ range: "bytes = 10-19" }), 206, "content-range"],
  ["two ranges", () => ({ range: "bytes=0-1,5-6" }), 206, "content-type"],
  ["an unsatisfiable range", () => ({ range: "bytes=5000-" }), 416],
  ["another unit", () => ({ range: "items=0-1" }), 200],
  ["a range with a matching If-None-Match", (etag) => ({ range: "bytes=0-9", "if-none-match": etag }), 304],
  ["a range with a stale If-Range", () => ({ range: "bytes=0-9", "if-range": '"other"' }), 200],
  ["a range with a current If-Range", (etag) => ({ range: "bytes=0-9", "if-range": etag }), 206],
];

test("static hot: every cached answer is the answer of the full path (200, 304, 206 and the rest)", async () => {
  await withBoth(async (cached, uncached) => {
    await warm(cached);
    const etag = await etagOf(cached);
    for (const [name, headers, status, shown] of cases) {
      const expected = shape(await rawRequest(uncached, "/file.bin", headers(etag)));
      assert.equal(expected.status, status, `${name}: the full path answers ${status}`);
      for (let i = 0; i < 2; i++) {
        const got = shape(await rawRequest(cached, "/file.bin", headers(etag)));
        assert.deepEqual(got, expected, `${name}, cached (request ${i + 1})`);
      }
      if (shown !== undefined) assert.ok(shown in expected.headers, `${name}: ${shown}`);
    }
    const head = shape(await rawRequest(cached, "/file.bin", {}, "HEAD"));
    assert.deepEqual(head, shape(await rawRequest(uncached, "/file.bin", {}, "HEAD")));
    assert.equal(head.headers["content-length"], "1000");
  });
});

test("static hot: repeated conditional fields are read as one list, as Headers joins them", async () => {
  await withBoth(async (cached, uncached) => {
    await warm(cached);
    const etag = await etagOf(cached);
    const head = (url: URL) =>
      [
        "GET /file.bin HTTP/1.1",
        `Host: ${url.host}`,
        'If-None-Match: "other"',
        `If-None-Match: ${etag}`,
        "Connection: close",
        "",
        "",
      ].join("\r\n");
    for (const url of [uncached, cached, cached]) {
      assert.equal((await exchange(Number(url.port), head(url))).status, 304);
    }
  });
});

test("static hot: a middleware that reads or changes a cached answer's headers is heard", async () => {
  const tagged = (inner: Handler): Handler => async (request) => {
    const response = await inner(request);
    response.headers.set("x-length-seen", response.headers.get("content-length") ?? "none");
    return response;
  };
  await withBoth(async (cached, uncached) => {
    await warm(cached);
    for (const [headers, length] of [[{}, "1000"], [{ range: "bytes=0-9" }, "10"]] as const) {
      const expected = shape(await rawRequest(uncached, "/file.bin", headers));
      const got = shape(await rawRequest(cached, "/file.bin", headers));
      assert.equal(got.headers["x-length-seen"], length);
      assert.deepEqual(got, expected);
    }
  }, tagged);
});

test("static hot: pipelined cached answers on one keep-alive connection come whole and in order", async () => {
  await withServer(serveStatic(fx.root), async (url) => {
    await warm(url);
    const etag = await etagOf(url);
    const socket = rawSocket(url);
    try {
      const requests = [{}, { "If-None-Match": etag }, { Range: "bytes=0-3" }, {}].map((headers) =>
        [`GET /file.bin HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)]
          .join("\r\n") + "\r\n\r\n"
      );
      await socket.write(requests.join(""));
      const statuses = /(HTTP\/1\.1 \d{3}[^]*){4}/;
      assert.ok(await socket.until(statuses), `four answers: ${socket.received().slice(0, 200)}`);
      const received = socket.received();
      assert.deepEqual([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ["200", "304", "206", "200"]);
      // Each answer is framed by its own Content-Length: 1000 + 0 + 4 + 1000 body bytes, nothing else.
      const bodies = received.split(/HTTP\/1\.1 \d{3}[^\r]*\r\n(?:[^\r]+\r\n)*\r\n/).slice(1).map((b) => b.length);
      assert.deepEqual(bodies, [1000, 0, 4, 1000]);
    } finally {
      socket.close();
    }
  });
});

test(
  "static hot: on Node an HTTP/1.0 client, or one that asks to close, gets Connection: close and a closed connection",
  async () => {
    await withServer(serveStatic(fx.root), async (url) => {
      await warm(url);
      const etag = await etagOf(url);
      const port = Number(url.port);
      for (const [version, extra] of [["1.0", ""], ["1.1", "Connection: close\r\n"]]) {
        for (const headers of ["", `If-None-Match: ${etag}\r\n`, "Range: bytes=0-3\r\n"]) {
          // exchange() resolves only once the server closed the connection.
          const answer = await exchange(
            port,
            `GET /file.bin HTTP/${version}\r\nHost: ${url.host}\r\n${extra}${headers}\r\n`,
          );
          assert.match(answer.text, /\r\nConnection: close\r\n/i, `HTTP/${version} ${headers}`);
          assert.equal(answer.text.match(/content-length/gi)?.length ?? 0, headers.startsWith("If-None") ? 0 : 1);
        }
      }
    });
  },
  { only: ["node"] },
);

test("static hot: on Node a response that already has headers set on it is written the ordinary way", async () => {
  const files = serveStatic(fx.root);
  const withNodeHeader: Handler = (request) => {
    const outgoing = (context(request).runtimeArgs[0] as { outgoing?: { setHeader(n: string, v: string): void } })
      ?.outgoing;
    outgoing?.setHeader("x-set-on-res", "1");
    return files(request);
  };
  await withServer(withNodeHeader, async (url) => {
    await warm(url);
    const answer = await rawRequest(url, "/file.bin");
    assert.equal(answer.headers.get("x-set-on-res"), "1");
    assert.deepEqual(answer.body, BYTES);
  });
}, { only: ["node"] });

test("static hot: a kept 206 counts in the body budget", () => {
  const headers = { source: undefined, cacheControlFor: () => undefined };
  const variant = (path: string) =>
    fileEntry(path, { kind: "file", size: 100, mtimeMs: 0 }, [], headers, Date.now()).variants[0];
  const weight = CLONE_TEMPLATES ? 200 : 100; // a template Response holds the bytes a second time
  const cache = new StaticCache({ maxBytes: 2 * weight, maxFileBytes: 100, statTtl: 1000, maxEntries: 10 });
  const [a, b] = [variant("a.txt"), variant("b.txt")];
  cache.keepBody(a, new Uint8Array(100));
  cache.keepBody(b, new Uint8Array(100));
  assert.ok(a.body !== undefined && b.body !== undefined, "both fit");
  cache.keepPartial(a, "bytes=0-49", new Response("x"), 50);
  // 50 more bytes do not fit: a body not used lately went out (here `a` itself, the oldest).
  assert.ok(a.body === undefined || b.body === undefined, "a kept 206 made room");
  if (a.body === undefined) assert.equal(a.partialTemplate, undefined);
});

test("static hot: a small file asked only by ranges is read once, then served from memory", async () => {
  const bytes = new TextEncoder().encode("0123456789");
  const calls = { body: 0, read: 0 };
  const source: FileSource = {
    stat: (path) => Promise.resolve(path === "a.txt" ? { kind: "file", size: bytes.length, mtimeMs: 0 } : undefined),
    body: (_path, start, end) => (calls.body++, bytes.subarray(start, end)),
    read: () => (calls.read++, Promise.resolve(bytes)),
  };
  const handler = serveStatic(source, { precompressed: false });
  for (const [range, expected] of [["bytes=2-4", "234"], ["bytes=2-4", "234"], ["bytes=-2", "89"]]) {
    const response = await handler(new Request("http://x/a.txt", { headers: { range } }));
    assert.equal(response.status, 206);
    assert.equal(await response.text(), expected);
  }
  assert.deepEqual(calls, { body: 0, read: 1 });
});

test("static hot: cleanup", () => fx.remove());
