/**
 * compress, etag and bodyLimit served for real: curl --compressed decodes
 * what compress sends (gzip, br, zstd), an event stream reaches curl event by
 * event, hostile Accept-Encoding over raw TCP is answered 200, and bodyLimit
 * refuses a streamed body while it streams.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { exchange, rawConnection } from "./_lib/raw_http.ts";
import { run } from "./_lib/run.ts";
import { compose } from "../src/handler.ts";
import { compress } from "../src/middleware/compress.ts";
import { etag } from "../src/middleware/etag.ts";
import { bodyLimit } from "../src/middleware/body_limit.ts";

const PAGE = "<li>an item of a list, long enough to be worth compressing</li>\n".repeat(2000);
const noCurl = spawnSync("sh", ["-c", "command -v curl"]).status !== 0;
const page = () => new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });

for (const coding of ["gzip", "br", "zstd"]) {
  test(`clients: curl --compressed decodes compress's ${coding}`, async () => {
    if (noCurl) return console.log("skipped: curl is not installed");
    await withServer(compress()(page), async (url) => {
      const args = ["-sS", "--compressed", "-H", `Accept-Encoding: ${coding}`, "-D", "-", url.href];
      const out = await run("curl", args);
      const [head, body] = [out.slice(0, out.indexOf("\r\n\r\n")), out.slice(out.indexOf("\r\n\r\n") + 4)];
      assert.match(head, new RegExp(`^content-encoding: ${coding}\\r?$`, "im"));
      assert.match(head, /^vary: Accept-Encoding\r?$/im);
      // On Node a body held in memory is compressed in one call and keeps a length; elsewhere it streams.
      if (runtime === "node") assert.match(head, /^content-length: \d+\r?$/im);
      else assert.match(head, /^transfer-encoding: chunked\r?$/im);
      assert.equal(body, PAGE);
    });
  });
}

test("clients: curl --compressed picks from its own list; the body is the page", async () => {
  if (noCurl) return console.log("skipped: curl is not installed");
  await withServer(compress()(page), async (url) => {
    const out = await run("curl", [
      "-sS",
      "--compressed",
      "-o",
      "/dev/null",
      "-w",
      "%{size_download} %header{content-encoding}",
      url.href,
    ]);
    const [size, coding] = out.split(" ");
    assert.equal(coding, "br", "curl offers deflate, gzip, br, zstd: the server's first");
    assert.ok(Number(size) < PAGE.length / 20, `${size} bytes on the wire`);
    assert.equal(await run("curl", ["-sS", "--compressed", url.href]), PAGE);
  });
});

test("clients: an event stream reaches curl event by event, compressed", async () => {
  if (noCurl) return console.log("skipped: curl is not installed");
  const encoder = new TextEncoder();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode("data: first\n\n"));
          await gate;
          controller.enqueue(encoder.encode("data: second\n\n"));
          controller.close();
        },
      }),
      { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } },
    );
  await withServer(compress()(events), async (url) => {
    // Head and body both on stdout (-D -): a child's /dev/stderr is a pipe curl cannot reopen.
    const curl = spawn("curl", ["-sS", "-N", "--compressed", "-D", "-", url.href]);
    let out = "";
    curl.stdout.on("data", (chunk) => (out += chunk));
    const exited = new Promise((done) => curl.once("close", done));
    const body = () => out.slice(out.indexOf("\r\n\r\n") + 4);
    try {
      const deadline = Date.now() + 10_000;
      while (!out.includes("data: first") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(body(), "data: first\n\n", "the first event was decoded before the second was written");
      assert.match(out, /^content-encoding: br\r?$/im);
    } finally {
      release();
      await exited;
    }
    assert.equal(body(), "data: first\n\ndata: second\n\n");
  });
});

test("clients: hostile Accept-Encoding over raw TCP is a clear 200, never a 500", async () => {
  await withServer(compress()(page), async (url) => {
    const port = Number(url.port);
    const many = Array.from({ length: 1000 }, (_, i) => `c${i};q=0.${i % 999}`).join(",");
    for (
      const value of ["gzip;q=abc", ";;;", "x".repeat(10 * 1024), many, "gzip;;q=1,,br;q=", "br;q=0, gzip;q=0, *;q=0"]
    ) {
      const answer = await exchange(
        port,
        `GET / HTTP/1.1\r\nHost: ${url.host}\r\nAccept-Encoding: ${value}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(answer.status, 200, value.slice(0, 30));
      assert.doesNotMatch(answer.text.slice(0, answer.text.indexOf("\r\n\r\n")), /content-encoding/i);
    }
  });
});

test("clients: etag then 304 with curl's If-None-Match, through compress", async () => {
  if (noCurl) return console.log("skipped: curl is not installed");
  await withServer(compose(compress(), etag())(page), async (url) => {
    const first = await run("curl", ["-sS", "--compressed", "-o", "/dev/null", "-w", "%header{etag}", url.href]);
    assert.match(first, /^W\/"[\w-]{27}"$/);
    const again = await run("curl", [
      "-sS",
      "--compressed",
      "-H",
      `If-None-Match: ${first}`,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      url.href,
    ]);
    assert.equal(again, "304");
  });
});

/** An app whose /upload route is limited to 1000 bytes; each route echoes the size it read. */
function limitedApp(calls: string[]) {
  const upload = bodyLimit(1000)(async (request) => {
    calls.push("upload");
    return new Response(`read ${(await request.arrayBuffer()).byteLength}`);
  });
  return async (request: Request) =>
    new URL(request.url).pathname === "/upload"
      ? upload(request)
      : new Response(`read ${(await request.arrayBuffer()).byteLength}`);
}

test("bodyLimit: a declared Content-Length over the limit is 413 before the handler runs", async () => {
  const calls: string[] = [];
  await withServer(limitedApp(calls), async (url) => {
    const response = await fetch(new URL("/upload", url), { method: "POST", body: "x".repeat(5000) });
    assert.equal(response.status, 413);
    assert.match(await response.text(), /Content Too Large/);
    assert.deepEqual(calls, []);
    const small = await fetch(new URL("/upload", url), { method: "POST", body: "x".repeat(1000) });
    assert.equal(await small.text(), "read 1000");
    const elsewhere = await fetch(new URL("/", url), { method: "POST", body: "x".repeat(5000) });
    assert.equal(await elsewhere.text(), "read 5000", "other routes keep the server's limit");
  });
});

test("bodyLimit: a chunked body is refused with 413 while it streams (the client never finishes)", async () => {
  const calls: string[] = [];
  await withServer(limitedApp(calls), async (url) => {
    const connection = rawConnection(Number(url.port));
    try {
      connection.write(`POST /upload HTTP/1.1\r\nHost: ${url.host}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = "x".repeat(600);
      connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`); // 1200 bytes, and no last chunk
      assert.ok(await connection.until((text) => /^HTTP\/1\.1 \d{3}/.test(text), 10_000), connection.received());
      assert.match(connection.received(), /^HTTP\/1\.1 413 /);
      assert.deepEqual(calls, ["upload"]);
    } finally {
      connection.destroy();
    }
  });
});
