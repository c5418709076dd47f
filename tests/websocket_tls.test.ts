/**
 * WebSockets over TLS (`serve(app, { tls })`): the runtime's own WebSocket
 * client trusting the test CA in a subprocess, directly and through a
 * proxy() whose upstream is `wss://`; the HTTP/1.1 upgrade on the server
 * that also speaks HTTP/2 (node:http2's secure server on Node), an RFC 8441
 * extended CONNECT refused without reaching the app, and a graceful
 * shutdown closing open `wss://` sockets with 1001.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { curl, withCertificate } from "./_lib/tls.ts";
import { connectTrusting } from "./_lib/websocket.ts";
import { root, run, scriptCommand } from "./fixtures/serve/harness.ts";
import { serve } from "../src/serve/serve.ts";
import { webSocket } from "../src/websocket.ts";

const opts = { skip: ["workerd" as const], timeout: 60_000 };

const echo = webSocket((socket) => {
  socket.onmessage = (event) => {
    if (event.data === "close please") socket.close(4002, "server says bye");
    else socket.send(event.data);
  };
});

/** Where `wss://localhost` is served by this process with the test certificate. */
const wssUrl = (url: URL, path = "/") => `wss://localhost:${url.port}${path}`;

test("wss: the runtime's own WebSocket trusting the test CA, directly and through a proxy to wss://", async () => {
  await withCertificate(async ({ ca, cert, key }) => {
    const client = scriptCommand(join(root, "tests", "fixtures", "tls", "wss.ts"), cert, key);
    const trusted = await run(client, { env: runtime === "deno" ? { DENO_CERT: ca } : { NODE_EXTRA_CA_CERTS: ca } });
    assert.equal(trusted.code, 0, trusted.output);
    for (const label of ["direct", "proxied"]) {
      assert.match(trusted.output, new RegExp(`^${label} hello \\[1,2,3\\] closed 4001 client says bye$`, "m"));
      assert.match(
        trusted.output,
        new RegExp(`^${label}-server-close hello \\[1,2,3\\] closed 4002 upstream says bye$`, "m"),
      );
    }
    // Without the CA neither handshake succeeds: the certificate is checked, by the proxy's upstream client too.
    const untrusted = await run(client);
    assert.doesNotMatch(untrusted.output, /hello/, untrusted.output);
    assert.match(untrusted.output, /^proxied error$/m, untrusted.output);
  });
}, opts);

test("wss: echo and close codes both ways with a client given the CA", async () => {
  await withCertificate(async ({ ca, cert, key }) => {
    const caText = readFileSync(ca, "utf8");
    await withServer(echo, async (url) => {
      assert.equal(url.protocol, "https:");
      const client = await connectTrusting(wssUrl(url), caText);
      client.socket.send("over tls");
      assert.equal(await client.next(), "over tls");
      client.socket.send(new Uint8Array([4, 5, 6]));
      assert.deepEqual(await client.next(), new Uint8Array([4, 5, 6]));
      client.socket.close(4001, "client says bye");
      assert.deepEqual(await client.closed, { code: 4001, reason: "client says bye" });
      const second = await connectTrusting(wssUrl(url), caText);
      second.socket.send("close please");
      assert.deepEqual(await second.closed, { code: 4002, reason: "server says bye" });
      // Plain HTTP on the same endpoint is still answered, over HTTP/2 and HTTP/1.1.
      for (const version of ["--http2", "--http1.1"]) {
        const { out } = await curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", version, url.href]);
        assert.equal(out, "426");
      }
    }, { tls: { cert, key } });
  });
}, opts);

/** An RFC 8441 extended CONNECT over HTTP/2: the server's SETTINGS and how the stream ended. */
async function extendedConnect(url: URL): Promise<{ advertised: boolean | undefined; status: string; reset: number }> {
  const http2 = await import("node:http2");
  const session = http2.connect(url.origin, { rejectUnauthorized: false });
  session.on("error", () => {});
  try {
    await new Promise((resolve) => session.once("remoteSettings", resolve));
    const advertised = session.remoteSettings.enableConnectProtocol;
    const ended = await new Promise<{ status: string; reset: number }>((resolve) => {
      const stream = session.request({
        ":method": "CONNECT",
        ":protocol": "websocket",
        ":scheme": "https",
        ":path": "/",
        ":authority": url.host,
        "sec-websocket-version": "13",
      }, { endStream: false });
      let status = "";
      stream.on("response", (head) => (status = String(head[":status"])));
      stream.on("data", () => {});
      stream.on("error", () => {});
      stream.on("close", () => resolve({ status, reset: stream.rstCode ?? 0 }));
    });
    return { advertised, ...ended };
  } finally {
    session.close();
  }
}

test("wss: an HTTP/2 extended CONNECT (RFC 8441) is refused with a stream reset; the server goes on", async () => {
  await withCertificate(async ({ ca, cert, key }) => {
    let reached = 0;
    const app = (request: Request) => {
      reached++;
      return echo(request);
    };
    const caText = readFileSync(ca, "utf8");
    await withServer(app, async (url) => {
      const refused = await extendedConnect(url);
      assert.equal(refused.advertised, false, "SETTINGS_ENABLE_CONNECT_PROTOCOL is not offered");
      assert.equal(refused.status, "");
      assert.equal(refused.reset, 1, "PROTOCOL_ERROR"); // NGHTTP2_PROTOCOL_ERROR
      assert.equal(reached, 0, "the app saw the extended CONNECT");
      // The same port then takes an HTTP/1.1 WebSocket upgrade.
      const client = await connectTrusting(wssUrl(url), caText);
      client.socket.send("after the refusal");
      assert.equal(await client.next(), "after the refusal");
      client.socket.close();
      await client.closed;
      assert.equal(reached, 1);
    }, { tls: { cert, key } });
  });
}, opts);

test("wss: a graceful shutdown closes open wss:// sockets with 1001", async () => {
  await withCertificate(async ({ ca, cert, key }) => {
    const caText = readFileSync(ca, "utf8");
    const server = await serve(echo, { port: 0, hostname: "127.0.0.1", onListen() {}, tls: { cert, key } });
    const clients = await Promise.all([1, 2, 3].map(() => connectTrusting(wssUrl(server.url), caText)));
    for (const client of clients) {
      client.socket.send("before");
      assert.equal(await client.next(), "before");
    }
    const began = Date.now();
    await server.shutdown();
    for (const client of clients) assert.equal((await client.closed).code, 1001);
    assert.ok(Date.now() - began < 5000, "the shutdown waited for the deadline");
  });
}, opts);
