/**
 * cors, requestId, traceContext and timeout through real servers on Deno,
 * Bun and Node: hostile headers sent as raw bytes over TCP (a Fetch client
 * would refuse or normalise them), the proxy forwarding the trace with this
 * server's span as the parent, a timeout stopping the proxy's upstream
 * request, and the CLI's `--cors`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { exchange } from "./_lib/raw_http.ts";
import { eventually } from "./_lib/wait.ts";
import { fixture, root, scriptCommand, startServing } from "./fixtures/serve/harness.ts";
import { context } from "../src/context.ts";
import { compose, type Handler } from "../src/handler.ts";
import { byMethod } from "../src/dispatch/by_method.ts";
import { mount } from "../src/dispatch/mount.ts";
import { cors } from "../src/middleware/cors.ts";
import { errors } from "../src/middleware/errors.ts";
import { logger } from "../src/middleware/logger.ts";
import { proxy } from "../src/middleware/proxy.ts";
import { requestId } from "../src/middleware/request_id.ts";
import { secureHeaders } from "../src/middleware/secure_headers.ts";
import { timeout } from "../src/middleware/timeout.ts";
import { traceContext } from "../src/middleware/trace.ts";

const opts = { skip: ["workerd" as const], timeout: 60_000 };
const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/** One raw request's status and head (lower-cased header names). */
async function raw(port: number, lines: string[]): Promise<{ status: number; head: string; text: string }> {
  const { status, text } = await exchange(port, [...lines, "Connection: close", "", ""].join("\r\n"));
  const end = text.indexOf("\r\n\r\n");
  return { status, head: text.slice(0, end).toLowerCase(), text };
}

test("server: hostile CORS, request-id and traceparent headers get clear answers, never a 500", async () => {
  const lines: string[] = [];
  const app = compose(
    cors({ origin: ["https://a.example"] }),
    traceContext(),
    requestId(),
    logger({ format: "otel", write: (line) => lines.push(line) }),
    secureHeaders(),
    errors({ mode: "production", log: () => {} }),
  )(mount({ "/api": byMethod({ GET: (request) => Response.json({ id: context(request).requestId }) }) }));
  await withServer(app, async (url) => {
    const port = Number(url.port);
    const host = `Host: 127.0.0.1:${port}`;
    // 0: the runtime's own parser may refuse it (400) before the app sees it; either is a clear answer.
    const cases: [string, string[], number][] = [
      ["Origin: null", ["GET /api/ HTTP/1.1", host, "Origin: null"], 200],
      [
        "Origin: null preflight",
        ["OPTIONS /api/ HTTP/1.1", host, "Origin: null", "Access-Control-Request-Method: PUT"],
        204,
      ],
      ["malformed request method", [
        "OPTIONS /api/ HTTP/1.1",
        host,
        "Origin: https://a.example",
        "Access-Control-Request-Method: P(T",
      ], 400],
      ["malformed header list", [
        "OPTIONS /api/ HTTP/1.1",
        host,
        "Origin: https://a.example",
        "Access-Control-Request-Method: PUT",
        "Access-Control-Request-Headers: a b",
      ], 400],
      ["10 KiB Origin", ["GET /api/ HTTP/1.1", host, `Origin: https://${"a".repeat(10 * 1024)}.example`], 200],
      ["forged X-Request-Id", ["GET /api/ HTTP/1.1", host, 'X-Request-Id: x" injected=1'], 200],
      ["control bytes in X-Request-Id", ["GET /api/ HTTP/1.1", host, "X-Request-Id: a\x01b\x7fc"], 0],
      ["non-ASCII X-Request-Id", ["GET /api/ HTTP/1.1", host, "X-Request-Id: caf\u00e9 \u202e"], 0],
      ["10 KiB X-Request-Id", ["GET /api/ HTTP/1.1", host, `X-Request-Id: ${"r".repeat(10 * 1024)}`], 200],
      ["uppercase traceparent", ["GET /api/ HTTP/1.1", host, `traceparent: ${PARENT.toUpperCase()}`], 200],
      ["all-zero trace id", [
        "GET /api/ HTTP/1.1",
        host,
        "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      ], 200],
      ["version ff", ["GET /api/ HTTP/1.1", host, `traceparent: ff${PARENT.slice(2)}`], 200],
      ["short traceparent", ["GET /api/ HTTP/1.1", host, `traceparent: ${PARENT.slice(0, 50)}`], 200],
      ["10 KiB tracestate", [
        "GET /api/ HTTP/1.1",
        host,
        `traceparent: ${PARENT}`,
        `tracestate: a=${"v".repeat(10240)}`,
      ], 200],
    ];
    for (const [name, request, expected] of cases) {
      const { status, head, text } = await raw(port, request);
      if (expected === 0) assert.ok(status === 200 || status === 400, `${name}: ${text.slice(0, 300)}`);
      else assert.equal(status, expected, `${name}: ${text.slice(0, 300)}`);
      assert.ok(!/access-control-allow-origin/.test(head), `${name}: no CORS header for a disallowed origin`);
      if (status === 200) {
        const id = /x-request-id: ([^\r\n]*)/.exec(head)?.[1];
        assert.match(id ?? "", /^[0-9a-f-]{36}$/, `${name}: a fresh id`);
        assert.ok(text.includes(`{"id":"${id}"}`), `${name}: the handler saw the same id`);
      }
    }
    const logged = lines.map((line) => JSON.parse(line));
    const traces = logged.filter((record) => record["url.path"] === "/api/" && record["http.request.method"] === "GET");
    for (const record of traces) {
      assert.match(record.trace_id, /^[0-9a-f]{32}$/);
      assert.notEqual(record.trace_id, "00000000000000000000000000000000");
    }
    const valid = await raw(port, ["GET /api/ HTTP/1.1", host, "Origin: https://a.example", `traceparent: ${PARENT}`]);
    assert.match(valid.head, /access-control-allow-origin: https:\/\/a\.example/);
    assert.equal(JSON.parse(lines.at(-1)!).trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  });
}, opts);

test("server: proxy forwards the trace with this server's span as the parent, and its tracestate", async () => {
  const seen: Record<string, string | null>[] = [];
  const upstream: Handler = (request) => {
    seen.push({ traceparent: request.headers.get("traceparent"), tracestate: request.headers.get("tracestate") });
    return new Response("up");
  };
  await withServer(upstream, async (upstreamUrl) => {
    let span = "";
    const front = traceContext()((request) => {
      span = context(request).trace!.spanId;
      return proxy(upstreamUrl)(request);
    });
    await withServer(front, async (url) => {
      const response = await fetch(url, { headers: { traceparent: PARENT, tracestate: "congo=t61rcWkgMzE" } });
      assert.equal(await response.text(), "up");
      assert.equal(seen[0].traceparent, `00-4bf92f3577b34da6a3ce929d0e0e4736-${span}-01`);
      assert.equal(seen[0].tracestate, "congo=t61rcWkgMzE");
      await (await fetch(url, { headers: { traceparent: "00-bad", tracestate: "congo=x" } })).text();
      assert.match(seen[1].traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.ok(!seen[1].traceparent!.includes("4bf92f"));
      assert.equal(seen[1].tracestate, null, "a tracestate without a valid traceparent is dropped");
    });
  });
}, opts);

test("server: timeout answers 504 and the proxy's upstream request is cancelled", async () => {
  let upstreamAborted = false;
  const upstream: Handler = (request) =>
    new Promise((resolve) => {
      context(request).signal.addEventListener("abort", () => {
        upstreamAborted = true;
        resolve(new Response("never read"));
      });
    });
  await withServer(upstream, async (upstreamUrl) => {
    const front = timeout(200)(proxy(upstreamUrl, { timeout: 30_000 }));
    await withServer(front, async (url) => {
      const started = Date.now();
      const response = await fetch(url);
      assert.equal(response.status, 504);
      assert.match(await response.text(), /Gateway Timeout/);
      assert.ok(Date.now() - started < 10_000);
      await eventually(() => upstreamAborted, "the upstream saw its request go away", 10_000);
    });
  });
}, opts);

test("cli: --cors lets any origin read the served app, and answers preflights", async () => {
  const proc = await startServing(scriptCommand(join(root, "serve.ts"), fixture("hello.ts"), "--cors"), { path: "/x" });
  try {
    const response = await fetch(new URL("/x", proc.url), { headers: { origin: "http://elsewhere.test" } });
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    await response.body?.cancel();
    const pre = await fetch(new URL("/x", proc.url), {
      method: "OPTIONS",
      headers: { origin: "http://elsewhere.test", "access-control-request-method": "PUT" },
    });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /PUT/);
  } finally {
    await proc.kill();
  }
}, opts);
