// @workerd
/**
 * The middleware a web app reaches for first, as units on every runtime:
 * cors (and byMethod's own OPTIONS), secureHeaders, requestId, timeout, trace
 * context, the logger's otel format and the profiler's Prometheus text (read
 * by a real parser from npm). Hostile input for each gets a clear answer.
 */
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { test } from "./_lib/test.ts";
import { bindContext, context, copyContext } from "../src/context.ts";
import { compose, type Handler } from "../src/handler.ts";
import { byMethod } from "../src/dispatch/by_method.ts";
import { hosts } from "../src/dispatch/hosts.ts";
import { mount } from "../src/dispatch/mount.ts";
import { cors } from "../src/middleware/cors.ts";
import { cspNonce, NONCE, secureHeaders } from "../src/middleware/secure_headers.ts";
import { requestId } from "../src/middleware/request_id.ts";
import { timeout } from "../src/middleware/timeout.ts";
import { parseTraceparent, parseTracestate, traceContext } from "../src/middleware/trace.ts";
import { logger } from "../src/middleware/logger.ts";
import { errors } from "../src/middleware/errors.ts";
import { profile } from "../src/middleware/profile.ts";

const hello: Handler = () => new Response("hello");
const get = (url: string, headers: Record<string, string> = {}, method = "GET") =>
  new Request(url.startsWith("http") ? url : `http://api.test${url}`, { method, headers });
const preflight = (url: string, origin: string, method = "PUT", headers?: string) =>
  get(url, {
    origin,
    "access-control-request-method": method,
    ...(headers === undefined ? {} : { "access-control-request-headers": headers }),
  }, "OPTIONS");
const acao = (response: Response) => response.headers.get("access-control-allow-origin");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- cors ------------------------------------------------------------------------------------------

test("cors: the default allows any origin with *, answers preflights 204, and adds nothing without Origin", async () => {
  const app = cors()(hello);
  const plain = await app(get("/"));
  assert.equal(acao(plain), null);
  assert.equal(plain.headers.get("vary"), null, "a wildcard answer does not vary");
  const simple = await app(get("/", { origin: "https://a.example" }));
  assert.equal(acao(simple), "*");
  assert.equal(await simple.text(), "hello");
  const pre = await app(preflight("/", "https://a.example", "PUT", "content-type, x-token"));
  assert.equal(pre.status, 204);
  assert.equal(acao(pre), "*");
  assert.equal(pre.headers.get("access-control-allow-methods"), "GET, HEAD, PUT, PATCH, POST, DELETE");
  assert.equal(pre.headers.get("access-control-allow-headers"), "content-type, x-token");
  assert.equal(pre.headers.get("access-control-max-age"), "600");
  assert.match(pre.headers.get("vary") ?? "", /Access-Control-Request-Headers/);
  assert.equal(await pre.text(), "");
});

test("cors: a list allows its origins only, reflects them with Vary: Origin, and disallowed ones get no CORS header", async () => {
  const app = cors({ origin: ["https://a.example", "http://localhost:5173"], exposeHeaders: ["x-total"] })(
    () => new Response("x", { headers: { vary: "Accept-Encoding" } }),
  );
  const allowed = await app(get("/", { origin: "https://a.example" }));
  assert.equal(acao(allowed), "https://a.example");
  assert.equal(allowed.headers.get("vary"), "Accept-Encoding, Origin", "Vary merged, not replaced");
  assert.equal(allowed.headers.get("access-control-expose-headers"), "x-total");
  assert.equal(acao(await app(get("/", { origin: "http://localhost:5173" }))), "http://localhost:5173");
  const other = await app(get("/", { origin: "https://evil.example" }));
  assert.equal(acao(other), null);
  assert.equal(other.headers.get("access-control-expose-headers"), null);
  assert.equal(other.headers.get("vary"), "Accept-Encoding, Origin");
  const sameOrigin = await app(get("/"));
  assert.equal(sameOrigin.headers.get("vary"), "Accept-Encoding, Origin", "a cache must not reuse it cross-origin");
  const refused = await app(preflight("/", "https://evil.example"));
  assert.equal(refused.status, 204);
  assert.equal(acao(refused), null);
  assert.equal(refused.headers.get("access-control-allow-methods"), null);
});

test("cors: RegExp and function origins; credentials reflect the origin, never *", async () => {
  const byPattern = cors({ origin: /^https:\/\/[a-z]+\.example$/, credentials: true })(hello);
  const allowed = await byPattern(get("/", { origin: "https://app.example" }));
  assert.equal(acao(allowed), "https://app.example");
  assert.equal(allowed.headers.get("access-control-allow-credentials"), "true");
  assert.equal(acao(await byPattern(get("/", { origin: "https://app.example.evil" }))), null);
  // Hono's CVE-2026-54290: credentials with the default "*" reflected every origin. Here it is refused.
  assert.throws(() => cors({ credentials: true }), {
    name: "TypeError",
    message: /credentials: true needs an explicit origin/,
  });
  assert.throws(() => cors({ origin: "*", credentials: true }), { name: "TypeError" });
  const listed = cors({ origin: ["https://b.example"], credentials: true })(hello);
  const reflected = await listed(get("/", { origin: "https://b.example" }));
  assert.equal(acao(reflected), "https://b.example");
  assert.equal(reflected.headers.get("vary"), "Origin");
  const pre = await listed(preflight("/", "https://b.example"));
  assert.equal(acao(pre), "https://b.example");
  assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
  assert.equal(acao(await listed(get("/", { origin: "https://evil.example" }))), null);
  const byFunction = cors({ origin: (origin) => Promise.resolve(origin.endsWith(".internal:8443")) })(hello);
  assert.equal(acao(await byFunction(get("/", { origin: "https://ops.internal:8443" }))), "https://ops.internal:8443");
  assert.equal(acao(await byFunction(get("/", { origin: "https://ops.internal" }))), null);
});

test("cors: Origin null is allowed only when listed (never by *, a RegExp or with credentials)", async () => {
  const withCookies = cors({ origin: /.*/, credentials: true })(hello);
  assert.equal(acao(await withCookies(get("/", { origin: "null" }))), null);
  assert.equal(acao(await withCookies(preflight("/", "null"))), null);
  const pattern = cors({ origin: /.*/ })(hello);
  assert.equal(acao(await pattern(get("/", { origin: "null" }))), null);
  const listed = cors({ origin: ["null"] })(hello);
  assert.equal(acao(await listed(get("/", { origin: "null" }))), "null");
  assert.equal(acao(await cors({ origin: ["https://a.example"] })(hello)(get("/", { origin: "null" }))), null);
  // A public wildcard answer is the same for every origin, an opaque one included (Fetch standard).
  assert.equal(acao(await cors()(hello)(get("/", { origin: "null" }))), "*");
});

test("cors: the peers' advisories — a request's Vary is never echoed, a long header list is read in linear time", async () => {
  // Hono GHSA-q7jf-gf43-6x6p: the request's Vary was copied into the response.
  const app = cors({ origin: ["https://a.example"] })(hello);
  const answer = await app(get("/", { origin: "https://a.example", vary: "X-Evil, Cookie" }));
  assert.equal(answer.headers.get("vary"), "Origin");
  // Hono CVE-2026-69207: a quadratic regex over Access-Control-Request-Headers; 200,000 spaces would take minutes.
  const spaces = "x-a," + " ".repeat(200_000) + "x-b";
  const request = new Request("http://localhost/", {
    method: "OPTIONS",
    headers: {
      origin: "https://a.example",
      "access-control-request-method": "PUT",
      "access-control-request-headers": spaces,
    },
  });
  const started = performance.now();
  const pre = await app(request);
  assert.ok(pre.status === 204 || pre.status === 400, String(pre.status));
  assert.ok(performance.now() - started < 5_000, "answered in linear time");
});

test("cors: hostile preflights get a clear 400 or a bare 204, never a 500", async () => {
  const app = cors({ origin: ["https://a.example"] })(hello);
  for (const method of ["PUT X", "GE(T", "", "\u00e9"]) {
    const response = await app(
      get("/", { origin: "https://a.example", "access-control-request-method": method }, "OPTIONS"),
    );
    assert.equal(response.status, 400, `method ${JSON.stringify(method)}`);
    assert.match(await response.text(), /Access-Control-Request-Method/);
    assert.equal(acao(response), null);
  }
  const badHeaders = await app(preflight("/", "https://a.example", "PUT", "x-a, (bad)"));
  assert.equal(badHeaders.status, 400);
  for (
    const origin of ["https://a.example/path", "garbage", "https://a.example, https://b.example", "x".repeat(10_000)]
  ) {
    const response = await app(preflight("/", origin));
    assert.equal(response.status, 204, origin.slice(0, 40));
    assert.equal(acao(response), null);
    assert.equal(acao(await app(get("/", { origin }))), null);
  }
});

test("cors: bad options are TypeErrors naming them", () => {
  assert.throws(() => cors({ origin: ["https://a.example/path"] }), { name: "TypeError", message: /cors: origin/ });
  assert.throws(() => cors({ origin: [] }), { name: "TypeError", message: /cors: origin/ });
  assert.throws(() => cors({ origin: 5 as never }), { name: "TypeError", message: /cors: origin/ });
  assert.throws(() => cors({ methods: ["GET POST"] }), { name: "TypeError", message: /cors: methods/ });
  assert.throws(() => cors({ maxAge: -1 }), { name: "TypeError", message: /cors: maxAge/ });
  assert.throws(() => cors({ credentials: "yes" as never }), { name: "TypeError", message: /cors: credentials/ });
});

test("cors: behind mount, hosts and byMethod, preflights are answered before dispatch (no 308, no 405)", async () => {
  const api = byMethod({ GET: hello, PUT: () => new Response("put") });
  const app = cors({ origin: ["https://a.example"] })(
    hosts({ "api.test": mount({ "/v1": api }), "*": () => new Response("other") }),
  );
  // `/v1` without its slash would be a 308 from mount: a redirected preflight fails in every browser.
  for (const path of ["/v1", "/v1/", "/v1/items"]) {
    const pre = await app(preflight(path, "https://a.example"));
    assert.equal(pre.status, 204, path);
    assert.equal(acao(pre), "https://a.example");
  }
  const put = await app(get("/v1/", { origin: "https://a.example" }, "PUT"));
  assert.equal(await put.text(), "put");
  assert.equal(acao(put), "https://a.example");
  const bare = await app(get("/v1", { origin: "https://a.example" }));
  assert.equal(await bare.text(), "hello", "a mount answers its bare prefix itself");
  assert.equal(acao(bare), "https://a.example");
  const redirecting = cors({ origin: ["https://a.example"] })(
    mount({ "/v1": { app: api, trailingSlash: "redirect" } }),
  );
  const redirected = await redirecting(get("/v1", { origin: "https://a.example" }));
  assert.equal(redirected.status, 308);
  assert.equal(acao(redirected), "https://a.example", "the redirect itself is readable");
  const elsewhere = await app(get("http://www.test/", { origin: "https://a.example" }));
  assert.equal(acao(elsewhere), "https://a.example");
  // cors inside a mount sees the request as mounted, and still answers.
  const inner = mount({ "/api": cors({ origin: ["https://a.example"] })(api) });
  assert.equal(acao(await inner(preflight("/api/", "https://a.example"))), "https://a.example");
});

test("cors: a fetch()-like response with immutable headers, and a pass(), keep working", async () => {
  const immutable = Response.redirect("http://api.test/elsewhere", 302);
  const app = cors({ origin: ["https://a.example"] })(() => immutable);
  const response = await app(get("/", { origin: "https://a.example" }));
  assert.equal(response.status, 302);
  assert.equal(acao(response), "https://a.example");
  assert.equal(response.headers.get("location"), "http://api.test/elsewhere");
  const fallsThrough = mount({
    "/": () => new Response("root"),
    "/a": cors({ origin: ["https://a.example"] })(mount({ "/b": hello })),
  });
  assert.equal(await (await fallsThrough(get("/a/zzz", { origin: "https://a.example" }))).text(), "root");
});

// ---- byMethod --------------------------------------------------------------------------------------

test("byMethod: OPTIONS is answered 204 with Allow unless the table has it (or a *)", async () => {
  const app = byMethod({ GET: hello, POST: hello });
  const options = await app(get("/", {}, "OPTIONS"));
  assert.equal(options.status, 204);
  assert.equal(options.headers.get("allow"), "GET, POST, HEAD, OPTIONS");
  assert.equal((await app(get("/", {}, "DELETE"))).headers.get("allow"), "GET, POST, HEAD, OPTIONS");
  const own = byMethod({ GET: hello, OPTIONS: () => new Response("mine") });
  assert.equal(await (await own(get("/", {}, "OPTIONS"))).text(), "mine");
  const star = byMethod({ GET: hello, "*": () => new Response("star") });
  assert.equal(await (await star(get("/", {}, "OPTIONS"))).text(), "star");
  // A preflight reaching cors first is cors's; a plain OPTIONS goes through to byMethod.
  const wrapped = cors({ origin: ["https://a.example"] })(app);
  const pre = await wrapped(preflight("/", "https://a.example"));
  assert.equal(acao(pre), "https://a.example");
  assert.equal(pre.headers.get("allow"), null);
  const plainOptions = await wrapped(get("/", { origin: "https://a.example" }, "OPTIONS"));
  assert.equal(plainOptions.headers.get("allow"), "GET, POST, HEAD, OPTIONS");
  assert.equal(acao(plainOptions), "https://a.example");
});

// ---- secureHeaders ---------------------------------------------------------------------------------

test("secureHeaders: helmet's and Hono's defaults, X-Powered-By removed", async () => {
  const app = secureHeaders()(() => new Response("x", { headers: { "x-powered-by": "Express" } }));
  const headers = (await app(get("/"))).headers;
  assert.equal(headers.get("strict-transport-security"), "max-age=15552000; includeSubDomains");
  assert.equal(headers.get("x-content-type-options"), "nosniff");
  assert.equal(headers.get("x-frame-options"), "SAMEORIGIN");
  assert.equal(headers.get("referrer-policy"), "no-referrer");
  assert.equal(headers.get("cross-origin-opener-policy"), "same-origin");
  assert.equal(headers.get("cross-origin-resource-policy"), "same-origin");
  assert.equal(headers.get("cross-origin-embedder-policy"), null);
  assert.equal(headers.get("origin-agent-cluster"), "?1");
  assert.equal(headers.get("x-dns-prefetch-control"), "off");
  assert.equal(headers.get("x-download-options"), "noopen");
  assert.equal(headers.get("x-permitted-cross-domain-policies"), "none");
  assert.equal(headers.get("x-xss-protection"), "0");
  assert.equal(headers.get("x-powered-by"), null);
  assert.equal(headers.get("content-security-policy"), null);
});

test("secureHeaders: each header switchable, and a header the app set is never overwritten", async () => {
  const app = secureHeaders({
    strictTransportSecurity: "max-age=63072000; includeSubDomains; preload",
    xFrameOptions: "DENY",
    referrerPolicy: false,
    crossOriginEmbedderPolicy: true,
    xXssProtection: false,
  })(() => new Response("x", { headers: { "x-frame-options": "ALLOW-FROM https://a.example" } }));
  const headers = (await app(get("/"))).headers;
  assert.equal(headers.get("strict-transport-security"), "max-age=63072000; includeSubDomains; preload");
  assert.equal(headers.get("x-frame-options"), "ALLOW-FROM https://a.example", "the app's own header stays");
  assert.equal(headers.get("referrer-policy"), null);
  assert.equal(headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.equal(headers.get("x-xss-protection"), null);
  const immutable = await secureHeaders()(() => Response.redirect("http://api.test/", 302))(get("/"));
  assert.equal(immutable.headers.get("x-content-type-options"), "nosniff");
});

test("secureHeaders: a CSP with a fresh nonce per request, readable by the handler", async () => {
  const app = secureHeaders({
    contentSecurityPolicy: {
      "default-src": ["'self'"],
      "script-src": ["'self'", NONCE],
      "frame-ancestors": ["'none'"],
    },
    contentSecurityPolicyReportOnly: { "upgrade-insecure-requests": [] },
  })((request) => new Response(`<script nonce="${cspNonce(request)}"></script>`));
  const first = await app(get("/"));
  const second = await app(get("/"));
  const nonceOf = (csp: string | null) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp ?? "")?.[1];
  const csp = first.headers.get("content-security-policy");
  assert.match(
    csp ?? "",
    /^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' ?; frame-ancestors 'none'$/,
  );
  assert.equal(await first.text(), `<script nonce="${nonceOf(csp)}"></script>`);
  assert.notEqual(nonceOf(csp), nonceOf(second.headers.get("content-security-policy")));
  assert.equal(first.headers.get("content-security-policy-report-only"), "upgrade-insecure-requests");
  assert.equal(cspNonce(get("/")), undefined);
  assert.throws(() => secureHeaders({ contentSecurityPolicy: { "script-src": ["'self'; x"] } }), {
    name: "TypeError",
    message: /bad source/,
  });
  assert.throws(() => secureHeaders({ xFrameOptions: "ALLOWALL" as never }), {
    name: "TypeError",
    message: /xFrameOptions/,
  });
  assert.throws(() => secureHeaders({ xContentTypeOptions: "x" as never }), { name: "TypeError" });
  assert.throws(() => secureHeaders({ hsts: true } as never), { name: "TypeError", message: /unknown option "hsts"/ });
  assert.throws(() => secureHeaders({ referrerPolicy: "a\r\nb" }), { name: "TypeError" });
});

// ---- requestId -------------------------------------------------------------------------------------

test("requestId: a valid incoming id is kept; forged, 10 KiB or missing ones are replaced by a UUID", async () => {
  const app = requestId()((request) => new Response(context(request).requestId));
  const kept = await app(get("/", { "x-request-id": "lb-7f3a:9/2=" }));
  assert.equal(kept.headers.get("x-request-id"), "lb-7f3a:9/2=");
  assert.equal(await kept.text(), "lb-7f3a:9/2=");
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (
    const forged of [
      "",
      "a b",
      'x"y',
      "<script>",
      "a,b",
      "\u00e9t\u00e9".normalize(),
      "x".repeat(201),
      "x".repeat(10 * 1024),
    ]
  ) {
    let request: Request;
    try {
      request = get("/", { "x-request-id": forged });
    } catch {
      continue; // not even a header value
    }
    const response = await app(request);
    assert.match(response.headers.get("x-request-id") ?? "", uuid, `replaced ${JSON.stringify(forged.slice(0, 20))}`);
    assert.equal(await response.text(), response.headers.get("x-request-id"));
  }
  const untrusting = requestId({ trustIncoming: false, header: "X-Correlation-Id", generate: () => "fixed-1" })(hello);
  const replaced = await untrusting(get("/", { "x-correlation-id": "client-chosen" }));
  assert.equal(replaced.headers.get("x-correlation-id"), "fixed-1");
  assert.throws(() => requestId({ header: "x id" }), { name: "TypeError", message: /requestId: header/ });
  assert.throws(() => requestId({ maxLength: 0 }), { name: "TypeError", message: /maxLength/ });
});

test("requestId: the logger, the error log, the 500 page and the response share one id", async () => {
  const lines: string[] = [];
  const logged: string[] = [];
  const app = compose(
    requestId(),
    logger({ format: "common", write: (line) => lines.push(line) }),
    errors({ mode: "production", log: (message) => logged.push(message) }),
  )(() => {
    throw new Error("boom");
  });
  const response = await app(get("/fail", { "x-request-id": "req-42", accept: "text/html" }));
  assert.equal(response.status, 500);
  assert.equal(response.headers.get("x-request-id"), "req-42");
  assert.match(await response.text(), /<code id="request-id">req-42<\/code>/);
  assert.match(logged[0], /^\[req-42\] GET http:\/\/api\.test\/fail\n/);
  assert.match(lines[0], / request_id=req-42$/);
  // Without requestId(), errors' own id reaches the access log too.
  const alone: string[] = [];
  const errorLog: string[] = [];
  const bare = compose(
    logger({ format: "json", write: (line) => alone.push(line) }),
    errors({ log: (m) => errorLog.push(m) }),
  )(
    () => {
      throw new Error("x");
    },
  );
  const failed = await bare(get("/"));
  const id = failed.headers.get("x-request-id");
  assert.ok(id);
  assert.equal(JSON.parse(alone[0]).requestId, id);
  assert.ok(errorLog[0].startsWith(`[${id}]`));
  // copyContext carries the id.
  const request = get("/");
  context(request).requestId = "carried";
  assert.equal(context(copyContext(request, new Request(request))).requestId, "carried");
});

// ---- timeout ---------------------------------------------------------------------------------------

test("timeout: a late handler gets 504 and its signal aborts; a quick one is untouched", async () => {
  let aborted: unknown;
  const slow: Handler = (request) =>
    new Promise((resolve) => {
      const signal = context(request).signal;
      signal.addEventListener("abort", () => {
        aborted = signal.reason;
        resolve(new Response("too late"));
      });
    });
  const started = Date.now();
  const response = await timeout(50)(slow)(get("/"));
  assert.equal(response.status, 504);
  assert.match(await response.text(), /Gateway Timeout/);
  assert.ok(Date.now() - started < 5_000);
  assert.equal((aborted as DOMException).name, "TimeoutError");
  const quick = await timeout(1_000)(hello)(get("/"));
  assert.equal(await quick.text(), "hello");
  const custom = await timeout(20, { answer: () => new Response("later", { status: 503 }) })(slow)(get("/"));
  assert.equal(custom.status, 503);
  await assert.rejects(() => Promise.resolve(timeout(1_000)(() => Promise.reject(new Error("own")))(get("/"))), /own/);
  assert.throws(() => timeout(0), { name: "TypeError", message: /timeout: ms/ });
  assert.throws(() => timeout(Infinity), { name: "TypeError" });
});

test("timeout: a body already streaming when the deadline passes is not cut", async () => {
  const app = timeout(50)(() => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(30);
        if (sent++ === 5) controller.close();
        else controller.enqueue(new TextEncoder().encode("chunk\n"));
      },
    });
    return new Response(body);
  });
  const response = await app(get("/"));
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "chunk\n".repeat(5), "150 ms of body after a 50 ms deadline");
});

// ---- trace context ---------------------------------------------------------------------------------

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

test("trace: traceparent version 00 rules; anything malformed is refused", () => {
  assert.deepEqual(parseTraceparent(PARENT), {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    parentId: "00f067aa0ba902b7",
    flags: "01",
  });
  const bad = [
    PARENT.toUpperCase(),
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
    PARENT + "-extra",
    PARENT + ", " + PARENT,
    "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "",
    "x".repeat(10_000),
  ];
  for (const value of bad) assert.equal(parseTraceparent(value), undefined, value.slice(0, 60));
  // A later version: the four known fields are read, what follows a dash is ignored; only the sampled bit kept.
  assert.equal(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future")?.flags, "01");
  assert.equal(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03x"), undefined);
});

test("trace: tracestate members are checked: at most 32, keys and values well formed, else dropped", () => {
  assert.equal(parseTracestate("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  assert.equal(parseTracestate(" a=1 , , tenant@vendor=x "), "a=1,tenant@vendor=x");
  const many = Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(",");
  assert.equal(parseTracestate(many), many);
  assert.equal(parseTracestate(many + ",k32=v"), undefined, "33 members");
  for (const bad of ["A=1", "a=", "a", "a=x,a=y", "a=b=c", `a=${"v".repeat(257)}`, `${"k".repeat(257)}=v`]) {
    assert.equal(parseTracestate(bad), undefined, bad.slice(0, 40));
  }
  assert.equal(parseTracestate("a=1 2 "), "a=1 2", "inner spaces are allowed, outer ones are list whitespace");
});

test("trace: a valid caller is continued with a new span; a malformed one starts a new trace", async () => {
  const seen: unknown[] = [];
  const app = traceContext()((request) => {
    seen.push(context(request).trace);
    return hello(request);
  });
  await app(get("/", { traceparent: PARENT, tracestate: "congo=t61rcWkgMzE" }));
  const continued = seen[0] as { traceId: string; spanId: string; parentId: string; state: string; flags: string };
  assert.equal(continued.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(continued.parentId, "00f067aa0ba902b7");
  assert.match(continued.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(continued.spanId, "00f067aa0ba902b7");
  assert.equal(continued.state, "congo=t61rcWkgMzE");
  assert.equal(continued.flags, "01");
  await app(get("/", { traceparent: PARENT.toUpperCase(), tracestate: "congo=t61rcWkgMzE" }));
  const fresh = seen[1] as { traceId: string; parentId: unknown; state: unknown };
  assert.match(fresh.traceId, /^[0-9a-f]{32}$/);
  assert.notEqual(fresh.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(fresh.parentId, undefined);
  assert.equal(fresh.state, undefined, "tracestate is dropped with an invalid traceparent");
  const untrusted = traceContext({ trustIncoming: () => false, sampled: false })((request) =>
    new Response(JSON.stringify(context(request).trace))
  );
  const trace = JSON.parse(await (await untrusted(get("/", { traceparent: PARENT }))).text());
  assert.notEqual(trace.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(trace.flags, "00");
});

test("trace + logger: the otel format uses OpenTelemetry's names, and the other formats carry the ids", async () => {
  const lines: string[] = [];
  const app = compose(
    traceContext(),
    requestId(),
    logger({ format: "otel", write: (line) => lines.push(line) }),
  )(mount({ "/api": () => new Response("12345", { status: 201, headers: { "content-length": "5" } }) }));
  const request = get("http://api.test:8080/api/users?page=2&token=s3cret", {
    traceparent: PARENT,
    "user-agent": "curl/8",
    referer: "http://a/?password=x",
  });
  bindContext(request, { remoteAddr: { hostname: "10.0.0.9", port: 5000 } });
  await app(request);
  const record = JSON.parse(lines[0]);
  assert.equal(record.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.match(record.span_id, /^[0-9a-f]{16}$/);
  assert.equal(record["http.request.method"], "GET");
  assert.equal(record["url.path"], "/api/users");
  assert.equal(record["url.query"], "page=2&token=REDACTED");
  assert.equal(record["url.scheme"], "http");
  assert.equal(record["http.route"], "/api");
  assert.equal(record["http.response.status_code"], 201);
  assert.equal(record["http.response.body.size"], 5);
  assert.equal(record["client.address"], "10.0.0.9");
  assert.equal(record["user_agent.original"], "curl/8");
  assert.deepEqual(record["http.request.header.referer"], ["http://a/?password=REDACTED"]);
  assert.equal(record["server.address"], "api.test");
  assert.equal(record["server.port"], 8080);
  assert.equal(typeof record["http.server.request.duration"], "number");
  assert.match(record["http.request.id"], /^[0-9a-f-]{36}$/);
  assert.equal(record.severity_text, "INFO");
  assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT/);
  const other: string[] = [];
  await logger({ format: "otel", write: (line) => other.push(line) })(hello)(get("/", {}, "PURGE"));
  assert.equal(JSON.parse(other[0])["http.request.method"], "_OTHER");
  assert.equal(JSON.parse(other[0])["http.request.method_original"], "PURGE");
  const combined: string[] = [];
  await compose(traceContext(), logger({ write: (line) => combined.push(line) }))(hello)(
    get("/", { traceparent: PARENT }),
  );
  assert.match(combined[0], /ms trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=[0-9a-f]{16}$/);
});

test("trace + errors: the error log names the trace", async () => {
  const logged: string[] = [];
  const app = compose(traceContext(), errors({ log: (message) => logged.push(message) }))(() => {
    throw new Error("x");
  });
  await app(get("/", { traceparent: PARENT }));
  assert.match(logged[0], / trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=[0-9a-f]{16}\n/);
});

// ---- Prometheus ------------------------------------------------------------------------------------

interface Metric {
  name: string;
  type: string;
  metrics: {
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

test("profile: ?format=prometheus is a histogram per method, route and status class, read by a real parser", async () => {
  const profiler = profile({ mode: "production", token: "a-long-secret-token" });
  const app = profiler(mount({
    "/api": (request) => new Response("x", { status: new URL(request.url).searchParams.has("miss") ? 404 : 200 }),
    "/weird": (request) => {
      context(request).route = 'a "quoted\\ route'; // as a RegExp pattern's source might read
      throw new Error("x");
    },
  }));
  for (let i = 0; i < 3; i++) await app(get("/api/a"));
  await app(get("/api/b?miss"));
  await assert.rejects(async () => await app(get("/weird/")), /x/);
  await app(get("/api/a", {}, "POST"));
  const closed = await app(get("/__profile__?format=prometheus"));
  assert.equal(closed.status, 404, "the same guard as the page");
  const response = await app(get("/__profile__?format=prometheus", { authorization: "Bearer a-long-secret-token" }));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await response.text();
  const metrics = parsePrometheusTextFormat(text) as Metric[];
  assert.deepEqual(metrics.map((m) => [m.name, m.type]), [
    ["http_server_request_duration_seconds", "HISTOGRAM"],
    ["http_server_active_requests", "GAUGE"],
    ["websocket_server_session_duration_seconds", "HISTOGRAM"],
    ["websocket_server_active_sessions", "GAUGE"],
  ]);
  // This parser merges a histogram's labelled series into one; so each series is read on its own
  // (its 15 buckets), and the counts with their labels as the samples they also are.
  const lines = text.split("\n").filter((line) => line.startsWith("http_server_request_duration_seconds_"));
  const counts = parsePrometheusTextFormat(
    "# TYPE http_server_request_duration_seconds_count counter\n" +
      lines.filter((line) => line.startsWith("http_server_request_duration_seconds_count")).join("\n") + "\n",
  ) as Metric[];
  const count = (method: string, route: string, statusClass: string) =>
    counts[0].metrics.find((m) =>
      m.labels?.http_request_method === method && m.labels?.http_route === route &&
      m.labels?.http_response_status_class === statusClass
    )?.value;
  assert.equal(count("GET", "/api", "2xx"), "3");
  assert.equal(count("GET", "/api", "4xx"), "1");
  assert.equal(count("POST", "/api", "2xx"), "1");
  assert.equal(count("GET", 'a "quoted\\ route', "5xx"), "1", "a thrown error is a 5xx; the quote survives escaping");
  assert.equal(
    count("GET", "(unrouted)", "4xx"),
    "1",
    "refused, the page's path is the app's own 404, profiled as one",
  );
  assert.equal(counts[0].metrics.length, 5);
  for (let at = 0; at < lines.length; at += 17) {
    const series = parsePrometheusTextFormat(
      "# TYPE http_server_request_duration_seconds histogram\n" + lines.slice(at, at + 17).join("\n") + "\n",
    ) as Metric[];
    const buckets = series[0].metrics[0].buckets!;
    assert.equal(Object.keys(buckets).length, 15);
    const values = ["0.005", "0.01", "0.1", "1", "10", "+Inf"].map((le) => Number(buckets[le]));
    assert.deepEqual(values, [...values].sort((a, b) => a - b), "cumulative");
    assert.ok(values[5] >= 1);
  }
  const gauge = metrics.find((m) => m.name === "http_server_active_requests")!;
  assert.equal(gauge.type, "GAUGE");
  assert.equal(gauge.metrics[0].value, "0");
  const open = await profile({ mode: "development" })(hello)(get("/__profile__?format=prometheus"));
  assert.equal(open.status, 200);
});
