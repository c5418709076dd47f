/**
 * The Host check every server runs before any app (RFC 9112 §3.2), the same
 * on Deno, Bun and Node, over raw TCP: a Fetch client normalises or refuses a
 * bad Host before it is sent.
 */
import assert from "node:assert/strict";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { exchange, get } from "./_lib/raw_http.ts";
import { hosts } from "../src/dispatch/hosts.ts";
import { mount } from "../src/dispatch/mount.ts";
import type { Handler } from "../src/handler.ts";

const opts = { skip: ["workerd" as const], timeout: 60_000 };

/** An app that counts its calls and answers with what `new URL(request.url)` reads. */
function probe() {
  const seen = { calls: 0 };
  const app: Handler = (request) => {
    seen.calls++;
    const url = new URL(request.url);
    return Response.json({ host: url.host, path: url.pathname });
  };
  return { seen, app };
}

/** The JSON body of a raw exchange whose body is one JSON object (chunked or not). */
const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));

/** Every Host of the security report, and its kind: none names a host `new URL()` reads back as sent. */
const invalidHosts = (port: number) => [
  "", // first: a fresh server has remembered no Host yet
  "1.2.3.256",
  "127.0.0.1:99999",
  "[1.2.3.4]",
  "[:::]",
  "999.999.999.999",
  "xn--zz.com",
  "example.com:abc",
  "a b",
  `127.0.0.1:${port}/admin`,
  "example.com/admin",
  "evil.com#.example.com",
  "evil.com\\.example.com",
  "example.com:80@evil.com",
  "exa%6dple.com",
  "example.com:",
  "example.com, evil.com",
  "ex!ample.com",
  "ex\tample.com",
];

test("serve: a Host that is not a valid authority is 400 before any app runs", async () => {
  const { seen, app } = probe();
  await withServer(mount({ "/": app, "/admin": app }), async (_url, server) => {
    for (const host of invalidHosts(server.port)) {
      const answer = await get(server.port, "/x", [`Host: ${host}`]);
      assert.equal(answer.status, 400, `Host ${JSON.stringify(host)}: ${answer.text}`);
      assert.match(answer.text, /Bad Request: invalid Host header/, `Host ${JSON.stringify(host)}`);
    }
  });
  assert.equal(seen.calls, 0, "no app ran");
}, opts);

test("serve: two Host headers are 400 (RFC 9112 §3.2)", async () => {
  const { seen, app } = probe();
  await withServer(app, async (url) => {
    const answer = await get(Number(url.port), "/x", [`Host: ${url.host}`, "Host: evil.com"]);
    assert.equal(answer.status, 400, answer.text);
    const same = await get(Number(url.port), "/x", [`Host: ${url.host}`, `Host: ${url.host}`]);
    assert.equal(same.status, 400, "even twice the same");
  });
  assert.equal(seen.calls, 0, "no app ran");
}, opts);

test("serve: a request without Host is 400, HTTP/1.1 and HTTP/1.0 alike", async () => {
  const { seen, app } = probe();
  await withServer(app, async (url) => {
    const port = Number(url.port);
    assert.equal((await exchange(port, "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n")).status, 400, "HTTP/1.1");
    // Deno and Bun do not tell the handler the version, so HTTP/1.0 without Host is refused too, everywhere.
    const old = await exchange(port, "GET /x HTTP/1.0\r\n\r\n");
    assert.equal(old.status, 400, "HTTP/1.0");
    assert.match(old.text, /missing Host header/);
    const absolute = await exchange(port, "GET http://other.example/x HTTP/1.0\r\n\r\n");
    assert.equal(absolute.status, 400, "HTTP/1.0 absolute-form without Host");
    const ok = await exchange(port, `GET /x HTTP/1.0\r\nHost: ${url.host}\r\n\r\n`);
    assert.equal(ok.status, 200, "HTTP/1.0 with a Host");
  });
  assert.equal(seen.calls, 1, "the app ran for the request with a Host only");
}, opts);

test("serve: valid Hosts are served, and new URL(request.url) reads them as hosts() does", async () => {
  const { seen, app } = probe();
  const expected: [string, string][] = [
    ["EXAMPLE.com", "example.com"],
    ["example.com.", "example.com."],
    ["example.com:08443", "example.com:8443"],
    ["example.com:80", "example.com"],
    ["[::1]:80", "[::1]"],
    ["[::FFFF:1.2.3.4]", "[::ffff:102:304]"],
    ["127.1", "127.0.0.1"],
    ["_dev.example", "_dev.example"],
    ["xn--nxasmq6b.com", "xn--nxasmq6b.com"],
    ["a-b~c.example:0", "a-b~c.example:0"],
  ];
  await withServer(app, async (url) => {
    for (const [host, read] of expected) {
      const answer = await get(Number(url.port), "/x?q", [`Host: ${host}`]);
      assert.equal(answer.status, 200, `Host ${JSON.stringify(host)}: ${answer.text}`);
      assert.deepEqual(bodyOf(answer.text), { host: read, path: "/x" }, `Host ${JSON.stringify(host)}`);
    }
  });
  assert.equal(seen.calls, expected.length);
}, opts);

// Bun builds request.url from the Host header and drops an absolute-form target's authority
// before the handler sees it (oven-sh/bun#33002): there the Host is used, see the test after this one.
test("serve: an absolute-form target's authority is the one used (RFC 9112 §3.2.2)", async () => {
  const { app } = probe();
  await withServer(app, async (url) => {
    const port = Number(url.port);
    const absolute = await get(port, "http://Other.example:8080/x", [`Host: ${url.host}`]);
    assert.equal(absolute.status, 200, absolute.text);
    assert.deepEqual(bodyOf(absolute.text), { host: "other.example:8080", path: "/x" });
    const targets = [
      "http://1.2.3.256/x",
      "http://u@other.example/x",
      "http://a.com:80@evil.com/x",
      "ftp://other.example/x",
    ];
    for (const target of targets) {
      const answer = await get(port, target, [`Host: ${url.host}`]);
      assert.equal(answer.status, 400, `${target}: ${answer.text}`);
    }
  });
}, { ...opts, only: ["node", "deno"] });

test("serve: on Bun an absolute-form target is read with the Host's authority (documented limit)", async () => {
  const { app } = probe();
  await withServer(app, async (url) => {
    const answer = await get(Number(url.port), "http://other.example:8080/x", [`Host: ${url.host}`]);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(bodyOf(answer.text), { host: url.host, path: "/x" }, "if Bun keeps the target now, update README");
  });
}, { ...opts, only: ["bun"] });

test("serve: hosts() dispatches on the host new URL(request.url) reads", async () => {
  const site = (name: string): Handler => (request) => new Response(`${name} ${new URL(request.url).host}`);
  const app = hosts({ "admin.example.com:8443": site("admin"), "*.example.com": site("tenant"), "*": site("other") });
  await withServer(app, async (url) => {
    const port = Number(url.port);
    const on = async (target: string, host: string) => {
      const answer = await get(port, target, [`Host: ${host}`]);
      return answer.status === 200 ? answer.text.slice(answer.text.indexOf("\r\n\r\n") + 4) : String(answer.status);
    };
    assert.equal(await on("/", "admin.example.com:08443"), "admin admin.example.com:8443", "ports compare as numbers");
    assert.equal(
      await on("/", "ADMIN.Example.com.:8443"),
      "admin admin.example.com.:8443",
      "case and a trailing dot ignored",
    );
    for (
      const host of ["evil.com#.example.com", "evil.com\\.example.com", "example.com:80@evil.com", "exa%6dple.com"]
    ) {
      assert.equal(await on("/", host), "400", `Host ${JSON.stringify(host)}`);
    }
    const absolute = await on("http://admin.example.com:8443/x", "www.example.com");
    assert.equal(absolute, runtime === "bun" ? "tenant www.example.com" : "admin admin.example.com:8443");
  });
}, opts);
