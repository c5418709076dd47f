// @workerd
/**
 * Byte counts in the logger and the profiler: every page fetchkit draws
 * declares its Content-Length (the length of its UTF-8 bytes, as sent), and
 * fetchkit's Node server knows the length of a string, bytes or Blob body it
 * was given; a streamed body without a length stays unknown everywhere, and
 * so does an app's undeclared string or bytes body on Deno, Bun and Workers,
 * which expose no length without reading the body.
 */
import assert from "node:assert/strict";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { exchange } from "./_lib/raw_http.ts";
import { eventually } from "./_lib/wait.ts";
import { compose, type Handler } from "../src/handler.ts";
import { mount } from "../src/dispatch/mount.ts";
import { logger } from "../src/middleware/logger.ts";
import { profile } from "../src/middleware/profile.ts";
import { errors } from "../src/middleware/errors.ts";
import { plainResponse } from "../src/internal/http.ts";
import { responsesTellLength, textResponse, utf8Length } from "../src/internal/body_length.ts";
import { declaredLength } from "../src/middleware/measure.ts";
import { fromNode } from "../src/bridge/from_node.ts";

const serverOpts = { skip: ["workerd" as const] };
const html = { accept: "text/html" };
/** Over 256 UTF-16 units with characters of 2, 3 and 4 bytes: sent as encoded bytes. */
const LONG = "é€😀 long page ".repeat(40);
const utf8 = (text: string) => new TextEncoder().encode(text).byteLength;

function stream(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

const routes: Record<string, Handler> = {
  "/text": () => new Response("héllo wörld"),
  "/declared": () => new Response("héllo", { headers: { "content-length": "6" } }),
  "/bytes": () => new Response(new Uint8Array(1234)),
  "/buffer": () => new Response(new ArrayBuffer(77)),
  "/blob": () => new Response(new Blob(["abc", new Uint8Array(5)])),
  "/stream": () => new Response(stream("streamed")),
  "/plain": () => plainResponse(400, "Bad Request: é€😀"),
  "/long": () => textResponse(LONG, { headers: { "content-type": "text/plain; charset=utf-8" } }),
  "/boom": () => {
    throw new Error("boom é");
  },
};

/** The app under test: errors() in production, the log as JSON lines, the profiler. */
function measured() {
  const lines: string[] = [];
  const profiler = profile({ mode: "production" });
  const app = compose(
    logger({ format: "json", write: (line) => lines.push(line) }),
    profiler,
    errors({ mode: "production", log: () => {} }),
  )(mount(routes));
  const bytesOf = (path: string): number | null | undefined => {
    const entry = lines.map((line) => JSON.parse(line)).find((e) => e.target === path);
    return entry?.bytes;
  };
  return { app, lines, profiler, bytesOf };
}

/** What an undeclared string, bytes or Blob body counts: known on fetchkit's Node server only. */
const lightKnows = (length: number) => runtime === "node" ? length : null;

test("body length: UTF-8 lengths match TextEncoder, lone surrogates included", () => {
  for (const text of ["", "abc", "héllo", "€", "😀", "a\ud800b", "\udc00", "x\ud83d", "日本語😀é", LONG]) {
    assert.equal(utf8Length(text), utf8(text), JSON.stringify(text));
  }
});

test("body length: fetchkit's own answers tell the length of what they send", async () => {
  for (
    const make of [
      () => plainResponse(404, "Not Found"),
      () => plainResponse(400, "Bad Request: é€😀"),
      () => textResponse(LONG),
      () => textResponse("{}", { status: 201, headers: { "content-type": "application/json" } }),
    ]
  ) {
    const response = make();
    const sent = (await make().arrayBuffer()).byteLength;
    const header = response.headers.get("content-length");
    // Declared, unless the Response class tells it (fetchkit's on its Node server): then the server sends it.
    assert.equal(header, responsesTellLength() && sent <= 256 ? null : String(sent));
    assert.equal(declaredLength(response), sent);
    // Still known once Node's own Response took the body over.
    const read = make();
    await read.clone().arrayBuffer();
    assert.equal(declaredLength(read), sent);
  }
  assert.equal(declaredLength(plainResponse(404, "Not Found")), 10);
  assert.equal(textResponse(LONG).headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(await textResponse(LONG).text(), LONG);
});

test("body length: the logger and the profiler count fetchkit's pages, and not a stream", async () => {
  const { app, lines, profiler, bytesOf } = measured();
  const call = async (path: string, headers: Record<string, string> = {}) => {
    const response = await app(new Request(`http://x${path}`, { headers }));
    return (await response.arrayBuffer()).byteLength;
  };
  await call("/plain");
  await call("/long");
  await call("/stream");
  await call("/declared");
  const notFound = await call("/nope");
  await eventually(() => lines.length === 5, "five log lines");
  assert.equal(bytesOf("/plain"), utf8("Bad Request: é€😀\n"));
  assert.equal(bytesOf("/long"), utf8(LONG));
  assert.equal(bytesOf("/nope"), 10);
  assert.equal(notFound, 10);
  assert.equal(bytesOf("/declared"), 6);
  assert.equal(bytesOf("/stream"), null);
  const stats = profiler.snapshot().routes;
  assert.equal(stats.reduce((sum, r) => sum + r.bytesOut, 0), utf8("Bad Request: é€😀\n") + utf8(LONG) + 10 + 6);
  assert.equal(stats.reduce((sum, r) => sum + r.unsized, 0), 1);
  const text = await call("/boom");
  const page = await call("/boom", html);
  await eventually(() => lines.length === 7, "seven log lines");
  const boom = lines.slice(5).map((line) => JSON.parse(line).bytes);
  assert.deepEqual(boom, [text, page]);
  assert.ok(page > 1000, "the production 500 page");
});

test("body length: on a server, as the log sees it and as the client receives it", async () => {
  const { app, lines, profiler, bytesOf } = measured();
  await withServer(app, async (url) => {
    const got: Record<string, number> = {};
    for (const path of [...Object.keys(routes), "/nope"]) {
      const response = await fetch(new URL(path, url), { headers: path === "/boom" ? html : {} });
      got[path] = (await response.arrayBuffer()).byteLength;
    }
    await eventually(() => lines.length === Object.keys(got).length, "a log line per request");
    assert.equal(bytesOf("/text"), lightKnows(13));
    assert.equal(bytesOf("/declared"), 6);
    assert.equal(bytesOf("/bytes"), lightKnows(1234));
    assert.equal(bytesOf("/buffer"), lightKnows(77));
    assert.equal(bytesOf("/blob"), lightKnows(8));
    assert.equal(bytesOf("/stream"), null);
    assert.equal(bytesOf("/plain"), 23);
    assert.equal(bytesOf("/long"), 800);
    assert.equal(bytesOf("/nope"), 10);
    assert.equal(bytesOf("/boom"), got["/boom"]);
    assert.deepEqual(
      [got["/text"], got["/bytes"], got["/buffer"], got["/blob"], got["/plain"], got["/long"], got["/nope"]],
      [13, 1234, 77, 8, 23, 800, 10],
    );
    const unsized = profiler.snapshot().routes.reduce((sum, r) => sum + r.unsized, 0);
    assert.equal(unsized, runtime === "node" ? 1 : 5);
  });
}, serverOpts);

test("body length: the declared length is the one on the wire, not chunked and not repeated", async () => {
  await withServer(mount(routes), async (url) => {
    for (const [path, length] of [["/plain", 23], ["/long", 800], ["/nope", 10]] as const) {
      const { text } = await exchange(Number(url.port), `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const [head, body] = [text.slice(0, text.indexOf("\r\n\r\n")), text.slice(text.indexOf("\r\n\r\n") + 4)];
      const lengths = head.match(/^content-length: .*$/gim)?.map((line) => line.toLowerCase());
      assert.deepEqual(lengths, [`content-length: ${length}`], head);
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.equal(body.length, length, path); // read as latin1: one character a byte
    }
  });
}, serverOpts);

test("body length: a Node app's body is counted by its own Content-Length, else unknown", async () => {
  const lines: string[] = [];
  const nodeApp = fromNode((req: { url?: string }, res: NodeResponse) => {
    if (req.url === "/sized") res.setHeader("content-length", "6");
    res.write("abc");
    res.end("def");
  });
  const app = logger({ format: "json", write: (line) => lines.push(line) })(nodeApp);
  await withServer(app, async (url) => {
    for (const path of ["/chunked", "/sized"]) assert.equal(await (await fetch(new URL(path, url))).text(), "abcdef");
  });
  await eventually(() => lines.length === 2, "two log lines");
  // Deno and Bun get the bridged body whole when it ends with the head, so it is sized; Node streams it from the app.
  assert.deepEqual(lines.map((line) => JSON.parse(line).bytes), [runtime === "node" ? null : 6, 6]);
}, serverOpts);

interface NodeResponse {
  setHeader(name: string, value: string): void;
  write(chunk: string): void;
  end(chunk: string): void;
}

test("body length: the profile page shows the bytes of fetchkit's answers, none of unknown size", async () => {
  const app = profile({ mode: "development" })(mount({ "/plain": routes["/plain"], "/stream": routes["/stream"] }));
  for (const path of ["/plain", "/plain", "/nope"]) await (await app(new Request(`http://x${path}`))).arrayBuffer();
  const page = await (await app(new Request("http://x/__profile__"))).text();
  assert.match(page, /data-value="46">46 B<\/td>/);
  assert.match(page, /data-value="10">10 B<\/td>/);
  assert.doesNotMatch(page, /of unknown size/);
  await (await app(new Request("http://x/stream"))).arrayBuffer();
  assert.match(await (await app(new Request("http://x/__profile__"))).text(), /\+ 1 of unknown size/);
});
