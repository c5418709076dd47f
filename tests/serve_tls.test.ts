/**
 * serve() over TLS, on each runtime: a certificate made for the test, real
 * clients (curl, the runtime's own fetch trusting the test CA in a
 * subprocess), HTTP/2 and HTTP/1.1 on the same port, and a bad certificate
 * or key refused at start.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { curl, withCertificate } from "./_lib/tls.ts";
import { fixture as serveFixture, root, run, scriptCommand, start } from "./fixtures/serve/harness.ts";
import { serve } from "../src/serve/serve.ts";
import { context } from "../src/context.ts";
import { compose } from "../src/handler.ts";
import { mount } from "../src/dispatch/mount.ts";
import { errors } from "../src/middleware/errors.ts";
import { logger } from "../src/middleware/logger.ts";

const opts = { skip: ["workerd" as const], timeout: 60_000 };

/** curl -k's status line: `<status> <HTTP version>` then the body. */
const WRITE_OUT = ["-w", "\n%{http_code} %{http_version}"];

async function curlK(...args: string[]): Promise<{ body: string; status: string; version: string }> {
  const { code, out, err } = await curl(["-k", ...WRITE_OUT, ...args]);
  assert.equal(code, 0, `curl ${args.join(" ")} failed: ${err}`);
  const at = out.lastIndexOf("\n");
  const [status, version] = out.slice(at + 1).split(" ");
  return { body: out.slice(0, at), status, version };
}

const echo = async (request: Request) => {
  const ctx = context(request);
  return Response.json({
    url: request.url,
    method: request.method,
    body: request.method === "POST" ? await request.text() : null,
    base: ctx.base,
    remote: ctx.remoteAddr?.hostname.replace("::ffff:", ""),
  });
};

test("tls: https:// URL, curl -k over HTTP/2 and HTTP/1.1 on the same port", async () => {
  await withCertificate(async ({ cert, key }) => {
    await withServer(echo, async (url) => {
      assert.equal(url.protocol, "https:");
      const target = new URL("/a?b=1", url).href;
      const h2 = await curlK("--http2", target);
      assert.equal(h2.status, "200");
      assert.equal(h2.version, "2", `${runtime} should negotiate HTTP/2`);
      assert.equal(JSON.parse(h2.body).url, target);
      const h1 = await curlK("--http1.1", target);
      assert.equal(h1.status, "200");
      assert.equal(h1.version, "1.1");
      assert.equal(JSON.parse(h1.body).url, target);
    }, { tls: { cert, key } });
  });
}, opts);

test("tls: PEM text works as well as file paths, and an encrypted key with its passphrase", async () => {
  await withCertificate(async (certificate) => {
    const { certText, keyText, cert, encryptedKey, passphrase } = certificate;
    for (const tls of [{ cert: certText, key: keyText }, { cert, key: encryptedKey, passphrase }]) {
      await withServer(() => new Response("pem"), async (url) => {
        const { body, status } = await curlK("--http2", url.href);
        assert.equal(`${status} ${body}`, "200 pem");
      }, { tls });
    }
  });
}, opts);

/** How the runtime running the tests is told to trust a CA file. */
function trustEnv(ca: string): Record<string, string> {
  return runtime === "deno" ? { DENO_CERT: ca } : { NODE_EXTRA_CA_CERTS: ca };
}

test("tls: the runtime's own fetch, trusting the test CA, gets the answer", async () => {
  await withCertificate(async ({ ca, cert, key }) => {
    await withServer(() => new Response("trusted"), async (url) => {
      for (const host of ["127.0.0.1", "localhost"]) {
        const target = `https://${host}:${url.port}/`;
        const client = scriptCommand(join(root, "tests", "fixtures", "tls", "fetch.ts"), target);
        const { code, output } = await run(client, { env: trustEnv(ca) });
        assert.equal(code, 0, output);
        assert.match(output, /^200 trusted$/m);
      }
      // And without the CA, the same fetch fails: the certificate is really checked.
      const { code } = await run(scriptCommand(join(root, "tests", "fixtures", "tls", "fetch.ts"), url.href));
      assert.notEqual(code, 0);
    }, { tls: { cert, key } });
  });
}, opts);

test("tls: a middleware stack (logger, errors, mount) and context(request) over HTTP/2", async () => {
  await withCertificate(async ({ cert, key }) => {
    const lines: string[] = [];
    const app = compose(logger({ write: (line) => lines.push(line), format: "common" }), errors())(
      mount({
        "/api": echo,
        "/boom": () => {
          throw new Error("boom on purpose");
        },
      }),
    );
    const originalError = console.error;
    console.error = () => {}; // errors() logs the thrown error
    try {
      await withServer(app, async (url) => {
        const answer = await curlK("--http2", new URL("/api/item?x=1", url).href);
        assert.equal(answer.version, "2");
        const seen = JSON.parse(answer.body);
        assert.equal(seen.url, new URL("/item?x=1", url).href);
        assert.equal(seen.base, "/api");
        assert.equal(seen.remote, "127.0.0.1");
        const boom = await curlK("--http2", new URL("/boom/now", url).href);
        assert.equal(`${boom.status} ${boom.version}`, "500 2");
        const missing = await curlK("--http2", new URL("/nowhere", url).href);
        assert.equal(missing.status, "404");
      }, { tls: { cert, key } });
    } finally {
      console.error = originalError;
    }
    assert.equal(lines.length, 3, lines.join("\n"));
    assert.match(lines[0], /"GET \/api\/item\?x=1 HTTP\/\S+" 200 /);
    assert.match(lines[1], /"GET \/boom\/now HTTP\/\S+" 500 /);
  });
}, opts);

test("tls: POST bodies, maxBodySize (413) and maxHeaderSize (431) over HTTP/2", async () => {
  await withCertificate(async ({ cert, key, dir }) => {
    const big = join(dir, "big.bin");
    writeFileSync(big, new Uint8Array(200_000).fill(120));
    const limits = { maxBodySize: 100_000, maxHeaderSize: 4096 };
    await withServer(echo, async (url) => {
      const post = await curlK("--http2", "--data-binary", "hello over h2", url.href);
      assert.equal(`${post.status} ${post.version}`, "200 2");
      assert.equal(JSON.parse(post.body).body, "hello over h2");
      const refused = await curlK("--http2", "--data-binary", `@${big}`, url.href);
      assert.equal(`${refused.status} ${refused.version}`, "413 2", refused.body);
      // Streamed without a length (HTTP/2 needs none), through node:http2's client: curl 7.88 takes the
      // stream's reset after the 413, while its upload is still going, for an error in some tries.
      for (let i = 0; i < 3; i++) assert.equal(await http2Post(url, 14, 16384), "413");
      const longHead = await curlK("--http2", "-H", `x-long: ${"y".repeat(8000)}`, url.href);
      assert.equal(`${longHead.status} ${longHead.version}`, "431 2");
      // The connection-specific header of a refusal (Connection: close) never breaks HTTP/2; the next request works.
      const after = await curlK("--http2", url.href);
      assert.equal(after.status, "200");
    }, { tls: { cert, key }, limits });
  });
}, opts);

test("tls: an in-flight HTTP/2 request finishes during a graceful shutdown", async () => {
  await withCertificate(async ({ cert, key }) => {
    let started!: () => void;
    const arrived = new Promise<void>((resolve) => (started = resolve));
    const slow = async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return new Response("finished");
    };
    const server = await serve(slow, { port: 0, hostname: "127.0.0.1", onListen() {}, tls: { cert, key } });
    const answer = curlK("--http2", server.url.href);
    await arrived;
    const began = Date.now();
    await server.shutdown();
    const { body, status, version } = await answer;
    assert.equal(`${status} ${version} ${body}`, "200 2 finished");
    assert.ok(Date.now() - began < 5000, "the shutdown waited for the deadline");
  });
}, opts);

test("tls: a wrong or unreadable certificate or key is a TypeError naming the option, at start", async () => {
  await withCertificate(async ({ dir, cert, key, otherKey, encryptedKey }) => {
    const notPem = join(dir, "not.pem");
    writeFileSync(notPem, "hello\n");
    const cases: [unknown, RegExp][] = [
      ["cert.pem", /tls must be an object/],
      [{ cert }, /tls\.key must be PEM text or a file path/],
      [{ cert, key, ca: cert }, /unknown tls option "ca"/],
      [{ cert, key, passphrase: 1 }, /tls\.passphrase must be a string/],
      [{ cert: join(dir, "missing.pem"), key }, /tls\.cert: cannot read the file .*missing\.pem.*ENOENT/],
      [{ cert: notPem, key }, /tls\.cert .*not\.pem.* is not PEM/],
      [{ cert: key, key }, /tls\.cert .* is not a PEM certificate/],
      [{ cert, key: cert }, /tls\.key .* is not a PEM private key/],
      [{ cert, key: otherKey }, /tls\.key .*other\.key.* does not belong to the certificate/],
      [{ cert, key: encryptedKey }, /tls\.key .* is encrypted: give its passphrase as tls\.passphrase/],
      [{ cert, key: encryptedKey, passphrase: "wrong" }, /tls\.passphrase does not open tls\.key/],
    ];
    for (const [tls, message] of cases) {
      await assert.rejects(
        serve(() => new Response("never"), { port: 0, onListen() {}, tls: tls as never }),
        (error: Error) => {
          assert.ok(error instanceof TypeError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });
}, opts);

const cli = (...args: string[]) => scriptCommand(join(root, "serve.ts"), ...args);

test("cli: --cert and --key serve https:// (HTTP/2), and bad ones fail at start", async () => {
  await withCertificate(async ({ cert, key, dir }) => {
    const proc = await start(cli(serveFixture("hello.ts"), "--cert", cert, "--key", key));
    try {
      assert.ok(await proc.waitFor(/Listening on https:\/\/127\.0\.0\.1:\d+\//), proc.output());
      const { body, status, version } = await curlK("--http2", `https://127.0.0.1:${proc.port}/`);
      assert.equal(`${status} ${version}`, "200 2");
      assert.match(body, /hello from the fixture/);
    } finally {
      await proc.kill();
    }
    const alone = await run(cli(serveFixture("hello.ts"), "--cert", cert));
    assert.equal(alone.code, 2, alone.output);
    assert.match(alone.output, /fetchkit: --cert needs --key/);
    const missing = await run(cli(serveFixture("hello.ts"), "--cert", join(dir, "nope.pem"), "--key", key));
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.output, /^fetchkit: serve: tls\.cert: cannot read the file .*nope\.pem/m);
    assert.doesNotMatch(missing.output, /\n\s+at /, "a stack trace was printed");
  });
}, opts);

/** One HTTP/2 request with exactly `headers` (pseudo-headers included): its status, or the stream error. */
async function http2Request(url: URL, headers: Record<string, string>): Promise<string> {
  const http2 = await import("node:http2");
  const session = http2.connect(url.origin, { rejectUnauthorized: false });
  try {
    return await new Promise<string>((resolve) => {
      session.once("error", (error) => resolve(`error ${error.message}`));
      const stream = session.request({ ":method": "GET", ":scheme": "https", ...headers });
      let status = "";
      stream.once("response", (head) => (status = String(head[":status"])));
      stream.on("data", () => {});
      stream.once("end", () => resolve(status));
      stream.once("error", (error) => resolve(`error ${error.message}`));
      stream.end();
    });
  } finally {
    session.close();
  }
}

/** An HTTP/2 POST of `count` chunks of `size` bytes without Content-Length: its status, or how the stream ended. */
async function http2Post(url: URL, count: number, size: number): Promise<string> {
  const http2 = await import("node:http2");
  const session = http2.connect(url.origin, { rejectUnauthorized: false });
  try {
    return await new Promise<string>((resolve) => {
      session.once("error", (error) => resolve(`error ${error.message}`));
      const stream = session.request({ ":method": "POST", ":path": "/" });
      let status = "";
      stream.once("response", (head) => (status = String(head[":status"])));
      stream.on("data", () => {});
      stream.once("close", () => resolve(status || `reset ${stream.rstCode}`));
      stream.on("error", () => {});
      const chunk = new Uint8Array(size).fill(120);
      let sent = 0;
      const pump = (): void => {
        while (sent < count) {
          sent++;
          if (!stream.write(chunk)) return void stream.once("drain", pump);
        }
        stream.end();
      };
      pump();
    });
  } finally {
    session.close();
  }
}

test("tls: over HTTP/2 the host is :authority; a bad one never reaches the app", async () => {
  await withCertificate(async ({ cert, key }) => {
    let reached = 0;
    const app = (request: Request) => {
      reached++;
      return new Response(new URL(request.url).host);
    };
    await withServer(app, async (url) => {
      assert.equal(await http2Request(url, { ":path": "/", ":authority": "example.com:8443" }), "200");
      assert.equal(reached, 1);
      for (const authority of ["example.com/admin", "a b", "example.com:99999", "user@example.com"]) {
        const answer = await http2Request(url, { ":path": "/", ":authority": authority });
        assert.ok(answer === "400" || answer.startsWith("error"), `${authority}: ${answer}`);
      }
      assert.equal(reached, 1, "a bad :authority reached the app");
    }, { tls: { cert, key } });
  });
}, opts);

test("tls: connection-specific headers and the reason phrase of a Response are left out on HTTP/2", async () => {
  await withCertificate(async ({ cert, key }) => {
    // What a proxied HTTP/1.1 upstream answer may carry: none of it may reach an HTTP/2 response.
    const headers = {
      connection: "keep-alive",
      "keep-alive": "timeout=5",
      "transfer-encoding": "chunked",
      "x-kept": "1",
    };
    const streamed = () =>
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          controller.enqueue(new TextEncoder().encode("chunk"));
          await new Promise((resolve) => setTimeout(resolve, 20));
          controller.close();
        },
      });
    const app = (request: Request) =>
      new Response(request.url.endsWith("?stream") ? streamed() : "body", { status: 201, statusText: "Made", headers });
    await withServer(app, async (url) => {
      for (const stream of [false, true]) {
        const target = new URL(stream ? "/?stream" : "/", url).href;
        const { body, status, version } = await curlK("--http2", "-i", target);
        assert.equal(`${status} ${version}`, "201 2", body);
        assert.match(body, /^x-kept: 1\r$/m);
        assert.doesNotMatch(body, /^(connection|keep-alive|transfer-encoding):/im);
      }
    }, { tls: { cert, key } });
  });
}, opts);
