// @workerd
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { bindContext, context } from "../src/context.ts";
import { etag } from "../src/middleware/etag.ts";
import { bodyLimit } from "../src/middleware/body_limit.ts";
import { etagListMatches } from "../src/internal/etag.ts";
import { etagListMatches as staticEtagListMatches } from "../src/static/conditional.ts";

const get = (headers: Record<string, string> = {}, method = "GET") =>
  new Request("http://localhost/", { method, headers });
const text = (body: string, headers: Record<string, string> = {}) => () => new Response(body, { headers });

test("etag: a weak tag from the body by default; 304 for If-None-Match, weak comparison", async () => {
  const app = etag()(text("hello", { "cache-control": "no-cache", "set-cookie": "a=1", "content-type": "text/plain" }));
  const first = await app(get());
  const tag = first.headers.get("etag")!;
  assert.match(tag, /^W\/"[\w-]{27}"$/);
  assert.equal(await first.text(), "hello");
  assert.equal(first.headers.get("content-type"), "text/plain");
  const again = await app(get({ "if-none-match": `"other", ${tag.slice(2)}` }));
  assert.equal(again.status, 304);
  assert.equal(again.body, null);
  assert.equal(again.headers.get("etag"), tag);
  assert.equal(again.headers.get("cache-control"), "no-cache", "a 304 keeps Cache-Control");
  assert.equal(again.headers.get("set-cookie"), null, "and drops what it need not repeat");
  assert.equal((await app(get({ "if-none-match": "*" }))).status, 304);
  assert.equal((await app(get({ "if-none-match": '"nope"' }))).status, 200);
  assert.equal((await app(get({ "if-none-match": "garbage,,, W/" }))).status, 200, "a malformed list matches nothing");
  assert.equal((await app(get({ "if-none-match": tag }, "HEAD"))).status, 304);
});

test("etag: strong on request, the same bytes the same tag, other bytes another", async () => {
  let body = "one";
  const app = etag({ strong: true })(() => new Response(body));
  const a = (await app(get())).headers.get("etag")!;
  const b = (await app(get())).headers.get("etag")!;
  body = "two";
  const c = (await app(get())).headers.get("etag")!;
  assert.match(a, /^"[\w-]{27}"$/);
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal((await app(get({ "if-none-match": `W/${c}` }))).status, 304, "If-None-Match compares weakly");
});

test("etag: leaves alone tagged, non-200, non-GET, bodiless and over-the-cap responses", async () => {
  const cases: [string, () => Response, Request][] = [
    ["tagged", text("x", { etag: '"mine"' }), get({ "if-none-match": '"mine"' })],
    ["404", () => new Response("missing", { status: 404 }), get()],
    ["POST", text("x"), get({}, "POST")],
    ["no body", () => new Response(null), get()],
    ["declared over", text("x".repeat(100), { "content-length": "100" }), get()],
  ];
  for (const [name, handler, request] of cases) {
    const original = handler();
    const response = await etag({ maxSize: 50 })(() => original)(request);
    assert.equal(response, original, name);
  }
});

test("etag: a streamed body past maxSize is passed on whole, untagged, without being held", async () => {
  const encoder = new TextEncoder();
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (++pulled > 10) return controller.close();
      controller.enqueue(encoder.encode("0123456789"));
    },
  }, { highWaterMark: 0 });
  const response = await etag({ maxSize: 25 })(() => new Response(stream))(get());
  assert.equal(response.headers.get("etag"), null);
  assert.ok(pulled <= 4, `read ${pulled} chunks before deciding`);
  assert.equal(await response.text(), "0123456789".repeat(10));
});

test("etag: options are checked at construction", () => {
  assert.throws(() => etag({ strong: "yes" as never }), /strong must be a boolean/);
  assert.throws(() => etag({ maxSize: -1 }), /maxSize/);
  assert.throws(() => etag(null as never), /options/);
});

test("etag comparison: one function for static and etag", () => {
  assert.equal(staticEtagListMatches, etagListMatches);
  assert.equal(etagListMatches('W/"a"', '"a"', true), true);
  assert.equal(etagListMatches('W/"a"', '"a"', false), false);
  assert.equal(etagListMatches('"a"', 'W/"a"', true), true);
});

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://localhost/upload", { method: "POST", body, headers, duplex: "half" } as RequestInit);
const echoSize = async (request: Request) => new Response(`read ${(await request.arrayBuffer()).byteLength}`);

test("bodyLimit: under the limit the handler reads it all, with its context", async () => {
  const request = post("x".repeat(100));
  bindContext(request, { route: "/upload" });
  const app = bodyLimit(100)(async (seen) => new Response(`${context(seen).route} ${(await seen.text()).length}`));
  assert.equal(await (await app(request)).text(), "/upload 100");
});

test("bodyLimit: a declared length over the limit is 413 without calling the handler", async () => {
  let called = false;
  const response = await bodyLimit(10)(() => (called = true, new Response("no")))(
    post("x".repeat(11), { "content-length": "11" }),
  );
  assert.equal(response.status, 413);
  assert.match(await response.text(), /Content Too Large/);
  assert.equal(called, false);
});

test("bodyLimit: a stream over the limit fails at the limit, 413 whatever the handler did", async () => {
  const encoder = new TextEncoder();
  let pulled = 0;
  const endless = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(encoder.encode("x".repeat(64)));
      },
    }, { highWaterMark: 0 });
  assert.equal((await bodyLimit(1000)(echoSize)(post(endless()))).status, 413);
  assert.ok(pulled < 40, `an endless body was read for ${pulled} chunks only`);
  const swallowing = bodyLimit(1000)(async (request) => {
    try {
      await request.arrayBuffer();
    } catch {
      return new Response("the handler's own 400", { status: 400 });
    }
    return new Response("fine");
  });
  assert.equal((await swallowing(post(endless()))).status, 413);
});

test("bodyLimit: requests without a body pass untouched (the same Request)", async () => {
  const request = get();
  let seen: Request | undefined;
  await bodyLimit(0)((r) => (seen = r, new Response("ok")))(request);
  assert.equal(seen, request);
  assert.throws(() => bodyLimit(-1), /bodyLimit: bytes/);
  assert.throws(() => bodyLimit("1k" as never), /bodyLimit: bytes/);
});
