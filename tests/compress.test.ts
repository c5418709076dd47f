// @workerd
import assert from "node:assert/strict";
import { runtime, test } from "./_lib/test.ts";
import { decodedBody, decodeText } from "./_lib/decompress.ts";
import { compose } from "../src/handler.ts";
import { compress } from "../src/middleware/compress.ts";
import { etag } from "../src/middleware/etag.ts";
import { negotiateEncoding, parseAcceptEncoding } from "../src/internal/accept_encoding.ts";
import { isCompressibleType } from "../src/internal/compressible.ts";
import { varyWith } from "../src/internal/vary.ts";
import { negotiateEncoding as staticNegotiate } from "../src/static/encoding.ts";

const PAGE = "<li>an item of a list, long enough to be worth compressing</li>\n".repeat(200);
const ALL = ["br", "zstd", "gzip", "deflate"] as const;
/** The codings compress produces here: zlib's four on Node, Deno and Bun; CompressionStream's two on workerd. */
const HERE: readonly string[] = runtime === "workerd" ? ["gzip", "deflate"] : ALL;

const html = (body: BodyInit | null = PAGE, headers: Record<string, string> = {}, status = 200) => () =>
  new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", ...headers } });
const get = (acceptEncoding: string | null, init: RequestInit = {}) =>
  new Request("http://localhost/", {
    ...init,
    headers: { ...(acceptEncoding === null ? {} : { "accept-encoding": acceptEncoding }), ...init.headers },
  });

test("accept-encoding: q-values, ties to the server's order, * and identity (RFC 9110 §12.5.3)", () => {
  assert.equal(negotiateEncoding("gzip, deflate, br, zstd", ALL), "br");
  assert.equal(negotiateEncoding("gzip;q=1, br;q=0.5", ALL), "gzip");
  assert.equal(negotiateEncoding("x-gzip", ALL), "gzip");
  assert.equal(negotiateEncoding("br;q=0, *", ALL), "zstd");
  assert.equal(negotiateEncoding("*;q=0", ALL), "identity");
  assert.equal(negotiateEncoding("gzip;q=0.5, identity", ALL), "identity");
  assert.equal(negotiateEncoding("identity;q=0", ALL), "identity");
  assert.equal(negotiateEncoding("deflate", ["gzip"]), "identity");
  assert.equal(negotiateEncoding("Gzip;Q=0.9", ALL), "gzip");
  assert.equal(negotiateEncoding("gzip;level=9;q=0.4, deflate;q=0.3", ALL), "gzip", "other parameters are skipped");
});

test("accept-encoding: malformed items are ignored, not taken as q=0 nor q=1", () => {
  assert.equal(negotiateEncoding("gzip;q=abc", ALL), "identity");
  assert.equal(negotiateEncoding("gzip;q=abc, deflate", ALL), "deflate");
  assert.equal(negotiateEncoding("gzip;q=2", ALL), "identity", "q above 1");
  assert.equal(negotiateEncoding("gzip;q=0.0001", ALL), "identity", "more than three decimals");
  assert.equal(negotiateEncoding("gzip;q", ALL), "identity", "a parameter without a value");
  assert.equal(negotiateEncoding(";;;", ALL), "identity");
  assert.equal(negotiateEncoding(",,, ;q=1, gzip", ALL), "gzip");
  assert.equal(negotiateEncoding("g(zip), gzip;q=0.1", ALL), "gzip", "a name that is not a token");
  assert.deepEqual([...parseAcceptEncoding("br;q=0.2, br;q=0.7")], [["br", 0.7]], "a repeated name: its best q");
});

test("accept-encoding: a 10 KiB header and a list of 5 000 items are answered quickly", () => {
  const long = "x".repeat(10 * 1024) + ", gzip";
  const many = Array.from({ length: 5000 }, (_, i) => `c${i};q=0.${i % 1000}`).join(",") + ", gzip;q=0.1";
  const started = Date.now();
  for (let i = 0; i < 100; i++) {
    assert.equal(negotiateEncoding(long, ALL), "identity", "items past the first 4 KiB are not read");
    assert.equal(negotiateEncoding(many, ALL), "identity");
    assert.equal(negotiateEncoding(";".repeat(10_000), ALL), "identity");
  }
  assert.ok(Date.now() - started < 5000, `100 rounds took ${Date.now() - started} ms`);
});

test("accept-encoding: static and compress share one negotiation", () => {
  assert.equal(staticNegotiate, negotiateEncoding);
});

test("compressible types: text, JSON, JavaScript, XML, SVG, wasm yes; images, archives, fonts in woff no", () => {
  for (
    const type of [
      "text/html",
      "text/css; charset=utf-8",
      "application/json",
      "application/javascript",
      "text/javascript",
      "application/xml",
      "image/svg+xml",
      "application/wasm",
      "application/ld+json",
      "application/vnd.api+json",
      "application/atom+xml",
      "text/event-stream",
      "TEXT/PLAIN",
    ]
  ) {
    assert.ok(isCompressibleType(type), type);
  }
  for (
    const type of [
      "image/png",
      "image/jpeg",
      "video/mp4",
      "application/zip",
      "application/gzip",
      "font/woff2",
      "application/octet-stream",
      "application/pdf",
      "",
      "text",
      "/html",
      "image/json",
    ]
  ) {
    assert.ok(!isCompressibleType(type), type);
  }
  assert.ok(!isCompressibleType(null));
});

test("vary: merged, never overwritten nor repeated", () => {
  assert.equal(varyWith(null, "Accept-Encoding"), "Accept-Encoding");
  assert.equal(varyWith("Origin", "Accept-Encoding"), "Origin, Accept-Encoding");
  assert.equal(varyWith("origin, accept-encoding", "Accept-Encoding"), "origin, accept-encoding");
  assert.equal(varyWith("*", "Accept-Encoding"), "*");
  assert.equal(varyWith(" ", "Accept-Encoding"), "Accept-Encoding");
});

for (const coding of HERE) {
  test(`compress: ${coding} when it is the client's choice, decodable, headers adjusted`, async () => {
    const app = compress()(html(PAGE, { etag: '"v1"', "content-length": String(PAGE.length), vary: "Origin" }));
    const response = await app(get(`${coding}, identity;q=0.5`));
    assert.equal(response.headers.get("content-encoding"), coding);
    assert.equal(response.headers.get("content-length"), null);
    assert.equal(response.headers.get("vary"), "Origin, Accept-Encoding");
    assert.equal(response.headers.get("etag"), 'W/"v1"');
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok(bytes.length < PAGE.length / 5, `${bytes.length} bytes`);
    assert.equal(await decodeText(bytes, coding), PAGE);
  });
}

test("compress: gzip of large chunks (compressed in place) decodes, across chunks and slices", async () => {
  const big = PAGE.repeat(30); // 390 KB: its first chunk is over the in-place threshold, and over one slice
  const pieces = [big.slice(0, 40_000), big.slice(40_000, 40_010), "", big.slice(40_010)];
  for (const chunks of [[big], pieces]) {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of chunks) controller.enqueue(new TextEncoder().encode(piece));
        controller.close();
      },
    });
    const app = compress({ encodings: ["gzip"] })(() =>
      new Response(source, { headers: { "content-type": "text/html" } })
    );
    const response = await app(get("gzip"));
    assert.equal(response.headers.get("content-encoding"), "gzip");
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok(bytes.length < big.length / 10, `${bytes.length} bytes`);
    assert.equal(await decodeText(bytes, "gzip"), big);
  }
});

test("compress: the server's preference on ties (br first), and q-values above it", async () => {
  const app = compress()(html());
  const tie = await app(get("gzip, deflate, br, zstd"));
  assert.equal(tie.headers.get("content-encoding"), runtime === "workerd" ? "gzip" : "br");
  await tie.body?.cancel();
  const ranked = await app(get("br;q=0.5, gzip"));
  assert.equal(ranked.headers.get("content-encoding"), "gzip");
  assert.equal(await decodedBody(ranked), PAGE);
  const only = await compress({ encodings: ["deflate"] })(html())(get("gzip, deflate"));
  assert.equal(only.headers.get("content-encoding"), "deflate");
  assert.equal(await decodedBody(only), PAGE);
});

test("compress: hostile Accept-Encoding gets a clear 200, identity or a valid coding", async () => {
  const app = compress()(html());
  for (const header of ["gzip;q=abc", ";;;", "x".repeat(10 * 1024), "*;q=0, identity;q=0", "gzip;q=1e3", "\t,\t"]) {
    const response = await app(get(header));
    assert.equal(response.status, 200, header.slice(0, 40));
    assert.equal(response.headers.get("content-encoding"), null, header.slice(0, 40));
    assert.equal(response.headers.get("vary"), "Accept-Encoding");
    assert.equal(await response.text(), PAGE);
  }
});

test("compress: nothing done for HEAD, 204, 304, 206, encoded bodies, no-transform, small or incompressible", async () => {
  const cases: [string, () => Response, RequestInit?][] = [
    ["HEAD", html(), { method: "HEAD" }],
    ["206", html(PAGE, { "content-range": `bytes 0-9/${PAGE.length}` }, 206)],
    ["encoded", html(PAGE, { "content-encoding": "gzip" })],
    ["no-transform", html(PAGE, { "cache-control": "public, no-transform" })],
    ["small", html("<p>tiny</p>", { "content-length": "11" })],
    ["png", () => new Response(PAGE, { headers: { "content-type": "image/png" } })],
    ["no type", () => new Response(new Blob([PAGE]).stream())],
  ];
  for (const [name, handler, init] of cases) {
    const original = handler();
    const response = await compress()(() => original)(get("gzip", init));
    assert.equal(response, original, name);
    assert.equal(response.headers.get("content-encoding"), name === "encoded" ? "gzip" : null, name);
    await response.body?.cancel();
  }
  for (const status of [204, 304]) {
    const response = await compress()(html(null, {}, status))(get("gzip"));
    assert.equal(response.status, status);
    assert.equal(response.headers.get("content-encoding"), null);
  }
});

test("compress: a body below the threshold by Content-Length is left; without a length it is compressed", async () => {
  const body = "<p>short but unknown</p>".repeat(3);
  const declared = await compress({ threshold: 100 })(html(body, { "content-length": String(body.length) }))(
    get("gzip"),
  );
  assert.equal(declared.headers.get("content-encoding"), null);
  assert.equal(declared.headers.get("vary"), null, "a body never compressed does not vary");
  assert.equal(await declared.text(), body);
  const streamed = await compress({ threshold: 100 })(html(new Blob([body]).stream()))(get("gzip"));
  assert.equal(streamed.headers.get("content-encoding"), "gzip");
  assert.equal(await decodedBody(streamed), body);
});

test("compress: a fetched response (immutable headers) that is not compressed still gets its Vary", async () => {
  const fetched = await fetch(`data:text/html,${encodeURIComponent(PAGE)}`);
  // Immutable on Node and Deno (Bun's are mutable): either way the Vary must be there.
  const response = await compress()(() => fetched)(get("identity"));
  assert.equal(response.headers.get("vary"), "Accept-Encoding");
  assert.equal(response.headers.get("content-encoding"), null);
  assert.equal(await response.text(), PAGE);
}, { skip: ["workerd"] });

test("compress: the first chunk of a stream arrives decodable before the stream ends", async () => {
  const encoder = new TextEncoder();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode("data: first\n\n"));
      await gate;
      controller.enqueue(encoder.encode("data: second\n\n"));
      controller.close();
    },
  });
  const app = compress()(() => new Response(events, { headers: { "content-type": "text/event-stream" } }));
  const response = await app(get("gzip"));
  assert.equal(response.headers.get("content-encoding"), "gzip");
  const reader = response.body!.getReader();
  const decoder = new DecompressionStream("gzip");
  const writer = decoder.writable.getWriter();
  const decoded = decoder.readable.getReader();
  const first = await reader.read();
  void writer.write(first.value!);
  const text = await decoded.read();
  assert.equal(new TextDecoder().decode(text.value), "data: first\n\n", "decoded before the second event exists");
  release();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) void writer.write(chunk.value);
  void writer.close();
  let rest = "";
  for (let chunk = await decoded.read(); !chunk.done; chunk = await decoded.read()) {
    rest += new TextDecoder().decode(chunk.value);
  }
  assert.equal(rest, "data: second\n\n");
}, { skip: ["workerd"] });

test("compress on workerd: event streams are sent as they are (CompressionStream cannot flush)", async () => {
  const app = compress()(() =>
    new Response(new Blob([PAGE]).stream(), { headers: { "content-type": "text/event-stream" } })
  );
  const response = await app(get("gzip"));
  assert.equal(response.headers.get("content-encoding"), null);
  assert.equal(await response.text(), PAGE);
}, { only: ["workerd"] });

test("compress: a level out of range or an unknown coding is a TypeError naming it", () => {
  assert.throws(() => compress({ level: { gzip: 12 } }), /level\.gzip must be an integer 1–9/);
  assert.throws(() => compress({ level: { lzma: 1 } as never }), /level\.lzma/);
  assert.throws(() => compress({ encodings: ["lzma"] as never }), /encodings/);
  assert.throws(() => compress({ threshold: -1 }), /threshold/);
  assert.throws(() => compress({ compressible: "text/*" as never }), /compressible/);
  assert.throws(() => compress(null as never), /options/);
});

test("compress over etag: the tag names the plain bytes and is made weak; 304 passes through", async () => {
  const app = compose(compress(), etag({ strong: true }))(html());
  const first = await app(get("gzip"));
  const tag = first.headers.get("etag")!;
  assert.match(tag, /^W\/"[\w-]{27}"$/);
  assert.equal(await decodedBody(first), PAGE);
  const again = await app(get("gzip", { headers: { "if-none-match": tag } }));
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("content-encoding"), null);
});
