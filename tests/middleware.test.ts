// @workerd
import assert from "node:assert/strict";
import { env, runtime, test } from "./_lib/test.ts";
import { bindContext, context } from "../src/context.ts";
import { compose } from "../src/handler.ts";
import { pass } from "../src/pass.ts";
import { mount } from "../src/dispatch/mount.ts";
import { LatencyHistogram } from "../src/middleware/histogram.ts";
import { resolveMode } from "../src/middleware/mode.ts";
import { profile, UNROUTED } from "../src/middleware/profile.ts";
import { formatCombined, formatCommon, formatJson, type LogEntry, logger } from "../src/middleware/logger.ts";
import { errors } from "../src/middleware/errors.ts";
import { injectHtml, replaceText, transform, transformBody } from "../src/middleware/transform.ts";
import { parseStack } from "../src/middleware/stack.ts";

const hello = () => new Response("Hello", { headers: { "content-length": "5" } });
const get = (path: string, init?: RequestInit) => new Request(`http://localhost${path}`, init);
/** A request as dispatch leaves it: the matched route recorded in the context. */
function routed(path: string, route: string, init?: RequestInit): Request {
  const request = get(path, init);
  bindContext(request, { route });
  return request;
}
/** Credentials the debug page must mask, defined far from any line that throws (excerpts show ±3 lines). */
const secretHeaders = { authorization: "Bearer t0p-s3cret", cookie: "sid=abc123" };
/** More credentials by other names, for the same reason far from a throw. */
const moreSecretHeaders = {
  "x-api-key": "K-1",
  "x-csrf-token": "K-2",
  "x-session-id": "K-3",
  "x-hub-signature-256": "K-4",
  "x-amz-security-token": "K-5",
  "x-auth-user": "K-6",
  "x-client-secret": "K-7",
  "x-db-password": "K-8",
};
const secretPassword = "hunter2";
const secretQuery = `/reset?password=${secretPassword}&step=2`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits a body into chunks of `size` bytes, to exercise matches across chunk boundaries. */
function chunked(text: string, size: number, headers: HeadersInit = { "content-type": "text/html" }): Response {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += size));
    },
  });
  return new Response(body, { headers });
}

// ---- mode ----------------------------------------------------------------

test("mode: an explicit mode wins, a wrong one is a TypeError", () => {
  assert.equal(resolveMode("development"), "development");
  assert.equal(resolveMode("production"), "production");
  assert.throws(() => resolveMode("debug" as never), {
    name: "TypeError",
    message: /mode must be "development" or "production"/,
  });
});

test("mode: without FETCHKIT_ENV/NODE_ENV the default is production", () => {
  // A forgotten variable must never mean development.
  const set = env("FETCHKIT_ENV") || env("NODE_ENV");
  const expected = set && /^dev(elopment)?$/i.test(set.trim()) ? "development" : "production";
  assert.equal(resolveMode(), expected);
  if (!set) assert.equal(resolveMode(), "production");
});

// ---- histogram -------------------------------------------------------------

test("histogram: percentiles of known latencies are within 1.6 %", () => {
  const histogram = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
  for (const [p, expected] of [[50, 500], [90, 900], [99, 990], [100, 1000]]) {
    const got = histogram.percentile(p);
    assert.ok(Math.abs(got - expected) / expected <= 0.016, `p${p}: ${got} vs ${expected}`);
  }
  assert.equal(histogram.count, 1000);
  assert.equal(histogram.meanMs, 500.5);
  assert.equal(histogram.maxMs, 1000);
});

test("histogram: a skewed distribution, sub-millisecond and huge values", () => {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 980; i++) histogram.record(0.25);
  for (let i = 0; i < 20; i++) histogram.record(5000);
  assert.ok(Math.abs(histogram.percentile(50) - 0.25) < 0.005);
  assert.ok(Math.abs(histogram.percentile(98) - 0.25) < 0.005);
  assert.ok(Math.abs(histogram.percentile(99) - 5000) / 5000 < 0.016);
  histogram.record(1e12); // beyond the range: clamped into the last bucket, max still exact
  assert.equal(histogram.maxMs, 1e12);
  const bars = histogram.octaves();
  assert.equal(bars.reduce((sum, bar) => sum + bar.count, 0), 1001);
  assert.ok(bars[0].fromMs <= 0.25 && 0.25 < bars[0].toMs);
});

test("histogram: memory does not grow with samples, merge and reset", () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  for (let i = 0; i < 100_000; i++) a.record(i % 100);
  b.record(7);
  a.merge(b);
  assert.equal(a.count, 100_001);
  a.reset();
  assert.equal(a.count, 0);
  assert.equal(a.percentile(50), 0);
  assert.deepEqual(a.octaves(), []);
});

// ---- profile ---------------------------------------------------------------

test("profile: per-route statistics keyed by method and declared route, never the raw URL", async () => {
  const profiler = profile({ mode: "production" });
  const app = profiler(async (request) => {
    if (new URL(request.url).pathname === "/slow/1") await sleep(30);
    if (request.method === "POST") return new Response("no", { status: 503 });
    return hello();
  });
  await app(routed("/users/1", "/users/:id"));
  await app(routed("/users/2", "/users/:id"));
  await app(routed("/users/3", "/users/:id", { method: "POST" }));
  await app(routed("/slow/1", "/slow"));
  await app(get("/nowhere"));
  const data = profiler.snapshot();
  const find = (method: string, route: string) => data.routes.find((r) => r.method === method && r.route === route);
  assert.equal(find("GET", "/users/:id")?.count, 2);
  assert.equal(find("GET", "/users/:id")?.bytesOut, 10);
  assert.equal(find("POST", "/users/:id")?.errors, 1);
  assert.equal(find("GET", UNROUTED)?.count, 1);
  assert.ok(!data.routes.some((r) => r.route.includes("/users/1")));
  assert.equal(data.requests, 5);
  assert.equal(data.errors, 1);
  if (runtime !== "workerd") { // workerd's clock only advances on I/O
    assert.ok(find("GET", "/slow")!.p50Ms >= 25, `slow route p50 ${find("GET", "/slow")!.p50Ms}`);
  }
});

test("profile: distinct methods are capped, so clients cannot grow its memory", async () => {
  const profiler = profile({ mode: "production" });
  const app = profiler(hello);
  for (let i = 0; i < 100; i++) await app(new Request("http://localhost/", { method: `M${i}` }));
  await app(get("/"));
  const routes = profiler.snapshot().routes;
  assert.equal(routes.length, 16 + 2, routes.map((r) => r.method).join());
  assert.equal(routes.find((r) => r.method === "(other)")?.count, 100 - 16);
  assert.equal(routes.find((r) => r.method === "GET")?.count, 1);
  assert.equal(profiler.snapshot().requests, 101);
}, { skip: ["bun", "workerd"] }); // their Request accepts standard methods only

test("profile: Server-Timing on every response, even immutable ones", async () => {
  const profiler = profile({ mode: "production" });
  const plain = await profiler(hello)(get("/"));
  assert.match(plain.headers.get("server-timing") ?? "", /^app;dur=\d+\.\d$/);
  const redirect = await profiler(() => Response.redirect("http://localhost/elsewhere", 302))(get("/"));
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("location"), "http://localhost/elsewhere");
  assert.match(redirect.headers.get("server-timing") ?? "", /^app;dur=/);
  const off = await profile({ mode: "production", serverTiming: false })(hello)(get("/"));
  assert.equal(off.headers.get("server-timing"), null);
});

test("profile: a thrown error counts as an error and is rethrown; in-flight is tracked", async () => {
  const profiler = profile({ mode: "production" });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const app = profiler(async (request) => {
    if (request.method === "PUT") await gate;
    if (request.method === "DELETE") throw new Error("nope");
    return hello();
  });
  const pending = app(get("/", { method: "PUT" }));
  assert.equal(profiler.snapshot().inFlight, 1);
  await assert.rejects(async () => await app(get("/", { method: "DELETE" })), /nope/);
  release();
  await pending;
  const data = profiler.snapshot();
  assert.equal(data.inFlight, 0);
  assert.equal(data.routes.find((r) => r.method === "DELETE")?.errors, 1);
});

test("profile: discardFirst leaves each route's first request out", async () => {
  const profiler = profile({ mode: "production", discardFirst: true });
  const app = profiler(hello);
  for (let i = 0; i < 3; i++) await app(routed("/a", "/a"));
  await app(routed("/b", "/b"));
  const data = profiler.snapshot();
  assert.equal(data.routes.find((r) => r.route === "/a")?.count, 2);
  assert.equal(data.routes.find((r) => r.route === "/b"), undefined);
});

/** An app with one page, `/x`, and its own 404 for every other path (a body the profiler could not make up). */
const onePage = (request: Request) =>
  new URL(request.url).pathname === "/x" ? hello() : new Response("<h1>the app's own 404</h1>", {
    status: 404,
    headers: { "content-type": "text/html", "x-app": "1" },
  });

/** Status, headers and bytes of a response, to compare two answers as a client sees them. */
async function seen(response: Response): Promise<string> {
  return JSON.stringify([response.status, [...response.headers], [...new Uint8Array(await response.arrayBuffer())]]);
}

test("profile: in production without a token the page's path is the app's own (its 404), open with one", async () => {
  const profiler = profile({ mode: "production", token: "s3cret-token", serverTiming: false });
  const app = profiler(onePage);
  await app(routed("/x", "/x"));
  const appNotFound = await seen(await app(get(`/no-such-${crypto.randomUUID()}`)));
  for (const request of [get("/__profile__"), get("/__profile__?token=wrong-token"), get("/__profile__?format=json")]) {
    assert.equal(await seen(await app(request)), appNotFound, `${request.url} answers exactly the app's 404`);
  }
  const byQuery = await app(get("/__profile__?token=s3cret-token"));
  assert.equal(byQuery.status, 200);
  const html = await byQuery.text();
  assert.match(html, /<table id="profile-table">/);
  assert.match(html, /<svg id="latency-histogram"/);
  assert.match(html, /<td>\/x<\/td>/);
  const byHeader = await app(get("/__profile__?format=json", { headers: { authorization: "Bearer s3cret-token" } }));
  const data = await byHeader.json();
  assert.equal(data.routes.find((route: { route: string }) => route.route === "/x")?.count, 1);
  assert.equal(data.requests, 5, "the app's answers are profiled (the refused page views among them), the page's not");
});

test("profile: no token and no predicate means closed in production; allow() opens it", async () => {
  const closed = profile({ mode: "production" })(onePage);
  assert.equal(await (await closed(get("/__profile__"))).text(), "<h1>the app's own 404</h1>");
  const open = profile({ mode: "production", allow: (r) => r.headers.get("x-internal") === "yes" })(onePage);
  assert.equal(await (await open(get("/__profile__"))).text(), "<h1>the app's own 404</h1>");
  assert.equal((await open(get("/__profile__", { headers: { "x-internal": "yes" } }))).status, 200);
  const dev = profile({ mode: "development" })(hello);
  assert.equal((await dev(get("/__profile__"))).status, 200);
});

test("profile: the page path is exact and follows the mount prefix", async () => {
  const profiler = profile({ mode: "development", path: "/_p" });
  const app = profiler(() => new Response("app"));
  assert.equal(await (await app(get("/_p/x"))).text(), "app");
  assert.equal(await (await app(get("/_px"))).text(), "app");
  const site = mount({ "/admin": app });
  assert.match((await site(get("/admin/_p?format=json"))).headers.get("content-type") ?? "", /^application\/json/);
  const reset = await site(get("/admin/_p", { method: "POST" }));
  assert.equal(reset.headers.get("location"), "/admin/_p", "the redirect keeps the mount prefix");
});

test("profile: reset by POST, with a cross-site POST refused", async () => {
  const profiler = profile({ mode: "development" });
  const app = profiler(hello);
  await app(get("/"));
  const foreign = await app(get("/__profile__", { method: "POST", headers: { origin: "http://evil.example" } }));
  assert.equal(foreign.status, 403);
  assert.equal(profiler.snapshot().requests, 1);
  const sandboxed = { origin: "null", "sec-fetch-site": "cross-site" };
  assert.equal((await app(get("/__profile__", { method: "POST", headers: sandboxed }))).status, 403);
  // The page's own form: its Referrer-Policy (no-referrer) makes the browser send Origin: null.
  const ownForm = { origin: "null", "sec-fetch-site": "same-origin" };
  assert.equal((await app(get("/__profile__", { method: "POST", headers: ownForm }))).status, 303);
  const reset = await app(get("/__profile__", { method: "POST", headers: { origin: "http://localhost" } }));
  assert.equal(reset.status, 303);
  assert.equal(reset.headers.get("location"), "/__profile__");
  assert.equal(profiler.snapshot().requests, 0);
  assert.equal((await app(get("/__profile__", { method: "DELETE" }))).status, 405);
});

test("profile: the histogram chart has one bar per power of two with the counts", async () => {
  const profiler = profile({ mode: "development" });
  const app = profiler(hello);
  for (let i = 0; i < 7; i++) await app(get("/"));
  const html = await (await app(get("/__profile__"))).text();
  const counts = [...html.matchAll(/<rect class="bar"[^>]* data-count="(\d+)"/g)].map((m) => Number(m[1]));
  assert.equal(counts.reduce((a, b) => a + b, 0), 7);
});

test("profile: ?cpu is validated; where node:inspector works it returns a .cpuprofile", async () => {
  const app = profile({ mode: "development" })(hello);
  assert.equal((await app(get("/__profile__?cpu=0"))).status, 400);
  assert.equal((await app(get("/__profile__?cpu=abc"))).status, 400);
  const page = await (await app(get("/__profile__"))).text();
  const response = await app(get("/__profile__?cpu=0.2"));
  if (runtime === "workerd") {
    assert.match(page, /id="cpu-unavailable"/);
    assert.equal(response.status, 501);
    return;
  }
  assert.match(page, /id="cpu-form"/);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-disposition") ?? "", /attachment; filename="fetchkit-.*\.cpuprofile"/);
  const cpuprofile = await response.json();
  assert.ok(Array.isArray(cpuprofile.nodes) && cpuprofile.nodes.length > 0);
  assert.ok(Array.isArray(cpuprofile.samples));
});

test("profile: bad options are TypeErrors naming the option", () => {
  assert.throws(() => profile({ path: "x" }), { name: "TypeError", message: /profile: path/ });
  assert.throws(() => profile({ token: "short" }), { name: "TypeError", message: /profile: token/ });
  assert.throws(() => profile({ allow: true as never }), { name: "TypeError", message: /profile: allow/ });
  assert.throws(() => profile({ mode: "dev" as never }), { name: "TypeError", message: /profile: mode/ });
});

// ---- logger ----------------------------------------------------------------

function capture(options: Parameters<typeof logger>[0] = {}) {
  const lines: string[] = [];
  return { lines, log: logger({ ...options, write: (line) => lines.push(line) }) };
}

test("logger: Combined Log Format with remote address, original URL and duration", async () => {
  const { lines, log } = capture();
  const request = get("/shop/cart?x=1", { headers: { referer: "http://a/", "user-agent": 'evil"agent' } });
  bindContext(request, { remoteAddr: { hostname: "::ffff:10.1.2.3", port: 5 } });
  await log(hello)(request);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^10\.1\.2\.3 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/shop\/cart\?x=1 HTTP\/1\.1" 200 5 "http:\/\/a\/" "evil\\x22agent" \d+\.\d{3}ms$/,
  );
});

test("logger: Common format, unknown length and a thrown error", async () => {
  const { lines, log } = capture({ format: "common" });
  await log(() => new Response(new ReadableStream({ start: (c) => c.close() })))(get("/stream"));
  await assert.rejects(async () => await log(() => Promise.reject(new Error("x")))(get("/boom")));
  assert.match(lines[0], /^- - - \[.*\] "GET \/stream HTTP\/1\.1" 200 - \d+\.\d{3}ms$/);
  assert.match(lines[1], /"GET \/boom HTTP\/1\.1" 500 - /);
});

test("logger: JSON lines and custom formats; colour only when asked", async () => {
  const json = capture({ format: "json" });
  await json.log(hello)(get("/j"));
  const entry = JSON.parse(json.lines[0]);
  assert.equal(entry.status, 200);
  assert.equal(entry.target, "/j");
  assert.equal(entry.bytes, 5);
  assert.equal(typeof entry.ms, "number");
  const custom = capture({ format: (e: LogEntry) => `${e.method} ${e.status}` });
  await custom.log(hello)(get("/"));
  assert.equal(custom.lines[0], "GET 200");
  const coloured = capture({ format: "common", color: true });
  await coloured.log(() => new Response(null, { status: 404 }))(get("/"));
  assert.ok(coloured.lines[0].includes("\x1b[33m404\x1b[0m"), "404 in yellow");
  const plain = capture({ format: "common" });
  await plain.log(hello)(get("/"));
  assert.ok(!plain.lines[0].includes("\x1b"), "no escape codes unless asked");
});

test("logger: bad options are TypeErrors", () => {
  assert.throws(() => logger({ format: "apache" as never }), { name: "TypeError", message: /logger: format/ });
  assert.throws(() => logger({ write: "stderr" as never }), { name: "TypeError", message: /logger: write/ });
});

// ---- errors ----------------------------------------------------------------

function failing(mode: "development" | "production", fail: () => unknown, extra = {}) {
  const logged: string[] = [];
  const app = errors({ mode, log: (m) => logged.push(m), ...extra })(fail as never);
  return { logged, app };
}
const html = { accept: "text/html" };

test("errors: production page has a request id and no stack; the log has the stack under that id", async () => {
  const { logged, app } = failing("production", () => {
    throw new Error("secret database password in message");
  });
  const response = await app(get("/", { headers: html }));
  assert.equal(response.status, 500);
  const id = response.headers.get("x-request-id")!;
  assert.match(id, /^[0-9a-f]{12}$/);
  const page = await response.text();
  assert.ok(page.includes(id));
  assert.doesNotMatch(page, /secret|at |\.ts/);
  assert.equal(logged.length, 1);
  assert.ok(logged[0].startsWith(`[${id}] GET http://localhost/`));
  assert.match(logged[0], /Error: secret database password in message\n\s+at /);
  const text = await app(get("/"));
  assert.match(await text.text(), /^Internal Server Error \(request id [0-9a-f]{12}\)\n$/);
});

test("errors: the debug page shows the stack, the source line that threw, masked credentials", async () => {
  const { app } = failing("development", () => {
    throw new TypeError("the line to find"); // THROW-MARKER
  });
  const response = await app(get("/x", { headers: { ...html, ...secretHeaders, "x-ok": "visible" } }));
  assert.equal(response.status, 500);
  const page = await response.text();
  assert.match(page, /<h1 id="error-title">TypeError: the line to find<\/h1>/);
  assert.doesNotMatch(page, /t0p-s3cret|sid=abc123/);
  assert.match(page, /<th>authorization<\/th><td>•+ \(masked\)<\/td>/);
  assert.match(page, /<th>x-ok<\/th><td>visible<\/td>/);
  if (runtime === "workerd") {
    assert.match(page, /Source is unavailable/);
    return;
  }
  const current = page.match(
    /<span class="line current" data-line="(\d+)"><span class="number">\d+<\/span> (.*)<\/span>/,
  );
  assert.ok(current, "a highlighted source line");
  assert.match(current[2], /THROW-MARKER/);
  assert.match(page, /middleware\.test\.ts/);
});

test("errors: a rejected promise, a non-Response return and a thrown non-Error are 500s", async () => {
  for (
    const fail of [() => Promise.reject(new RangeError("r")), () => "text", () => undefined, () => {
      throw "a string";
    }]
  ) {
    const { logged, app } = failing("development", fail);
    const response = await app(get("/"));
    assert.equal(response.status, 500);
    assert.equal(logged.length, 1);
  }
});

test("errors: custom 404 and 500 handlers", async () => {
  const notFound = () => new Response("custom 404", { status: 404 });
  const serverError = (_: Request, failure: { id: string; mode: string }) =>
    new Response(`custom 500 ${failure.id} ${failure.mode}`, { status: 500 });
  const wrap = errors({ mode: "production", notFound, serverError, log: () => {} });
  assert.equal(await (await wrap(() => pass())(get("/"))).text(), "custom 404");
  assert.equal(await (await wrap(() => new Response(null, { status: 404 }))(get("/"))).text(), "custom 404");
  const own = await wrap(() => Response.json({ error: "no such user" }, { status: 404 }))(get("/"));
  assert.deepEqual(await own.json(), { error: "no such user" }, "an app's own 404 body is kept");
  const failed = await wrap(() => {
    throw new Error("x");
  })(get("/"));
  assert.match(await failed.text(), /^custom 500 [0-9a-f]{12} production$/);
  const broken = errors({
    mode: "production",
    serverError: () => {
      throw new Error("oops");
    },
    log: () => {},
  });
  assert.equal((await broken(() => Promise.reject(new Error("x")))(get("/"))).status, 500);
});

test("errors: an error while streaming is logged and the stream errors (no second response)", async () => {
  const logged: string[] = [];
  const failing = () =>
    new Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode("partial "));
          controller.error(new Error("disk vanished"));
        },
      }),
    );
  const app = errors({ mode: "production", watchBodies: true, log: (m) => logged.push(m) })(failing);
  const response = await app(get("/"));
  assert.equal(response.status, 200);
  await assert.rejects(response.text());
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^\[[0-9a-f]{12}\] GET http:\/\/localhost\/: error while streaming the body/);
  assert.match(logged[0], /disk vanished/);
  // Watching is on by default in development only: in production the app's Response is passed on as it is,
  // so the runtime keeps its fast path for the body.
  const plainResponse = new Response("fast");
  assert.equal(await errors({ mode: "production" })(() => plainResponse)(get("/")), plainResponse);
  const watched = await errors({ mode: "development", log: (m) => logged.push(m) })(failing)(get("/"));
  await assert.rejects(watched.text());
  assert.equal(logged.length, 2);
});

test("errors: bad options are TypeErrors", () => {
  assert.throws(() => errors({ notFound: "404.html" as never }), { name: "TypeError", message: /errors: notFound/ });
  assert.throws(() => errors({ mode: "staging" as never }), { name: "TypeError", message: /errors: mode/ });
  assert.throws(() => errors({ watchBodies: "yes" as never }), { name: "TypeError", message: /errors: watchBodies/ });
});

test("stack: V8 and Bun frame lines parse, runtime internals are not the user's", () => {
  const frames = parseStack(`Error: x
    at handler (file:///app/src/routes.ts:12:7)
    at async Promise.all (index 0)
    at /app/server.ts:3:1
    at ModuleJob.run (node:internal/modules/esm/module_job:561:25)
    at ext:deno_http/00_serve.ts:1:2
    at fn (/app/node_modules/lib/index.js:1:1)`);
  assert.deepEqual(frames.map((f) => [f.file, f.line, f.own]), [
    ["file:///app/src/routes.ts", 12, true],
    [undefined, 0, false],
    ["/app/server.ts", 3, true],
    ["node:internal/modules/esm/module_job", 561, false],
    ["ext:deno_http/00_serve.ts", 1, false],
    ["/app/node_modules/lib/index.js", 1, false],
  ]);
  assert.equal(frames[0].name, "handler");
});

// ---- what the middleware never writes out as received -------------------------

test("logger: C1 controls are escaped in every format, from the User-Agent and the Referer", async () => {
  // U+0085 is a line break to some viewers, U+009B a terminal's CSI (like ESC [). Header values are
  // byte strings: Latin-1 is all a client can put there.
  const agent = "bot\u0085forged line\u009b2J";
  for (const format of ["combined", "json"] as const) {
    const { lines, log } = capture({ format });
    await log(hello)(get("/c1", { headers: { "user-agent": agent, referer: "http://a/\u0085" } }));
    const line = lines[0];
    assert.doesNotMatch(line, /[\u0080-\u009f]/, `${format}: ${line}`);
    if (format === "combined") {
      assert.ok(line.includes(String.raw`"bot\x85forged line\x9b2J"`), line);
      assert.ok(line.includes(String.raw`"http://a/\x85"`), line);
    } else {
      assert.ok(line.includes(String.raw`bot\u0085forged line\u009b2J`), line);
      assert.equal(JSON.parse(line).userAgent, agent, "still JSON that reads back the same");
    }
  }
  // Entries built by hand may hold any character: line separators and bidi overrides are escaped too.
  const entry: LogEntry = {
    time: new Date(0),
    remote: undefined,
    method: "GET",
    target: "/",
    status: 200,
    bytes: 0,
    durationMs: 1,
    referer: "\u2028",
    userAgent: "\u202ekcab\u009b",
  };
  assert.ok(formatCombined(entry).includes(String.raw`"\u2028" "\u202ekcab\x9b"`));
  assert.ok(formatCommon({ ...entry, target: "/\u0085" }).includes(String.raw`"GET /\x85 HTTP/1.1"`));
  assert.ok(formatJson(entry).includes(String.raw`"referer":"\u2028","userAgent":"\u202ekcab\u009b"`));
});

test("logger: values of sensitive query keys are REDACTED in the target and the Referer", async () => {
  const target = "/login?user=ann&token=t0k&Password=pw&%6Bey=k3y&code=c0de&secret=&q=a+b&keyboard=1";
  const referer = "http://shop.example/cb?code=oauth-code&next=/home";
  const redacted = "/login?user=ann&token=REDACTED&Password=REDACTED&%6Bey=REDACTED&code=REDACTED&secret=&q=a+b" +
    "&keyboard=1";
  const combined = capture();
  await combined.log(hello)(get(target, { headers: { referer } }));
  assert.ok(combined.lines[0].includes(`"GET ${redacted} HTTP/1.1"`), combined.lines[0]);
  assert.ok(combined.lines[0].includes(`"http://shop.example/cb?code=REDACTED&next=/home"`), combined.lines[0]);
  assert.doesNotMatch(combined.lines[0], /t0k|pw&|k3y|c0de|oauth-code/);
  const json = capture({ format: "json" });
  await json.log(hello)(get(target, { headers: { referer } }));
  assert.equal(JSON.parse(json.lines[0]).target, redacted);
  assert.equal(JSON.parse(json.lines[0]).referer, "http://shop.example/cb?code=REDACTED&next=/home");
  const custom = capture({ format: (entry: LogEntry) => `${entry.target} ${entry.referer}` });
  await custom.log(hello)(get(target, { headers: { referer } }));
  assert.equal(custom.lines[0], `${redacted} http://shop.example/cb?code=REDACTED&next=/home`);
  const own = capture({ format: "common", redactQuery: ["USER"] });
  await own.log(hello)(get(target));
  assert.match(own.lines[0], /"GET \/login\?user=REDACTED&token=t0k&/, "the keys are configurable");
  const none = capture({ format: "common", redactQuery: [] });
  await none.log(hello)(get(target));
  assert.ok(none.lines[0].includes(target), "[] logs every value");
  assert.throws(() => logger({ redactQuery: "token" as never }), { name: "TypeError", message: /logger: redactQuery/ });
  assert.throws(() => logger({ redactQuery: [""] }), { name: "TypeError", message: /logger: redactQuery/ });
});

test("logger + profile: the profiler's own ?token= never reaches the access log; its page sets no Referer", async () => {
  const token = "profile-secret-0123";
  const { lines, log } = capture();
  const app = compose(log, profile({ mode: "production", token }))(hello);
  const response = await app(get(`/__profile__?token=${token}`, { headers: { referer: `http://x/?token=${token}` } }));
  assert.equal(response.status, 200);
  await response.body?.cancel();
  assert.equal(response.headers.get("referrer-policy"), "no-referrer");
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes(token), lines[0]);
  assert.match(lines[0], /"GET \/__profile__\?token=REDACTED HTTP\/1\.1"/);
});

test("errors: the error log and the debug page redact sensitive query values", async () => {
  const { logged, app } = failing("development", () => {
    throw new Error("x");
  });
  const page = await (await app(get(secretQuery, { headers: html }))).text();
  assert.ok(logged[0].startsWith("[") && logged[0].includes("GET http://localhost/reset?password=REDACTED&step=2"));
  assert.ok(page.includes("http://localhost/reset?password=REDACTED&amp;step=2"));
  assert.doesNotMatch(page + logged[0], new RegExp(secretPassword));
});

test("errors: the debug page masks every header that looks like a credential", async () => {
  const secrets = moreSecretHeaders;
  const { app } = failing("development", () => {
    throw new Error("x");
  });
  const page = await (await app(get("/", { headers: { ...html, ...secrets, "x-ok": "visible" } }))).text();
  assert.doesNotMatch(page, /K-\d/);
  for (const name of Object.keys(secrets)) assert.match(page, new RegExp(`<th>${name}</th><td>•+ \\(masked\\)</td>`));
  assert.match(page, /<th>x-ok<\/th><td>visible<\/td>/);
});

test("nosniff on every page the middleware draws: error pages, the profile page and its errors", async () => {
  const throwing = () => {
    throw new Error("x");
  };
  const pages: Response[] = [];
  for (const mode of ["development", "production"] as const) {
    const { app } = failing(mode, throwing);
    pages.push(await app(get("/", { headers: html })), await app(get("/")));
  }
  const open = profile({ mode: "development" })(hello);
  pages.push(
    await open(get("/__profile__")),
    await open(get("/__profile__?format=json")),
    await open(get("/__profile__?cpu=0")),
    await open(get("/__profile__", { method: "DELETE" })),
  );
  for (const response of pages) {
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", `${response.status}`);
    await response.body?.cancel();
  }
});

// ---- transform -------------------------------------------------------------

test("transform: injectHtml finds a marker split across chunks, drops Content-Length, weakens ETag", async () => {
  for (const size of [1, 2, 3, 7, 100]) {
    const source = chunked("<html><body><p>Hi ✓</p></body></html>", size, {
      "content-type": "text/html",
      etag: '"v1"',
    });
    source.headers.set("content-length", "39");
    const response = transformBody(source, injectHtml("<div>banner</div>"));
    assert.equal(response.headers.get("content-length"), null);
    assert.equal(response.headers.get("etag"), 'W/"v1"');
    assert.equal(await response.text(), "<html><body><p>Hi ✓</p><div>banner</div></body></html>", `chunk size ${size}`);
  }
  const noMarker = transformBody(new Response("plain"), injectHtml("!"));
  assert.equal(await noMarker.text(), "plain!");
});

test("transform: replaceText rewrites links across chunk boundaries and multi-byte characters", async () => {
  const page = '<a href="/a">ä</a><img src="/b.png"><a href="/c">€</a>';
  for (const size of [1, 2, 5, 1000]) {
    const response = transformBody(
      chunked(page, size),
      replaceText({ 'href="/': 'href="/blog/', 'src="/': 'src="/blog/' }),
    );
    assert.equal(await response.text(), '<a href="/blog/a">ä</a><img src="/blog/b.png"><a href="/blog/c">€</a>');
  }
  const once = transformBody(new Response("aaa"), replaceText({ a: "aa" }));
  assert.equal(await once.text(), "aaaaaa", "replacements are not rescanned");
});

test("transform: bounded buffering on a large body", async () => {
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  let produced = 0;
  const total = 16 * 1024 * 1024;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= total) return controller.close();
      produced += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const response = transformBody(new Response(body), replaceText({ needle: "pin" }));
  const reader = response.body!.getReader();
  let seen = (await reader.read()).value!.length;
  await sleep(10);
  assert.ok(produced <= 8 * chunk.length, `read ahead ${produced} bytes only`);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.length;
  }
  assert.equal(seen, total);
});

test("transform: the middleware touches HTML only, never compressed, partial or HEAD", async () => {
  const banner = transform({ stream: () => injectHtml("<b>!</b>") });
  const htmlApp = banner(() =>
    new Response("<body></body>", { headers: { "content-type": "text/html; charset=utf-8" } })
  );
  assert.equal(await (await htmlApp(get("/"))).text(), "<body><b>!</b></body>");
  const jsonApp = banner(() => Response.json({ a: "</body>" }));
  assert.equal(await (await jsonApp(get("/"))).text(), '{"a":"</body>"}');
  const gz = transformBody(new Response("x", { headers: { "content-encoding": "gzip" } }), injectHtml("!"));
  assert.equal(await gz.text(), "x");
  const partial = transformBody(new Response("x", { status: 206 }), injectHtml("!"));
  assert.equal(await partial.text(), "x");
  assert.throws(() => transform({} as never), { name: "TypeError", message: /transform: options\.stream/ });
  assert.throws(() => replaceText({ "": "x" }), { name: "TypeError" });
});

test("compose: profile, logger and errors together", async () => {
  const lines: string[] = [];
  const profiler = profile({ mode: "production" });
  const app = compose(profiler, logger({ write: (l) => lines.push(l) }), errors({ mode: "production", log: () => {} }))(
    (request) => {
      context(request).route = "/boom";
      throw new Error("x");
    },
  );
  const response = await app(get("/boom"));
  assert.equal(response.status, 500);
  assert.match(lines[0], /" 500 /);
  assert.equal(profiler.snapshot().routes[0].errors, 1);
  assert.equal(profiler.snapshot().routes[0].route, "/boom");
});
