/**
 * proxy() forwards WebSocket handshakes: to an upstream echo server given as
 * http: or ws:, text and binary both ways, the upstream's subprotocol and
 * the forwarding headers, close codes and reasons passed through in both
 * directions, and an unreachable upstream refused.
 */
import assert from "node:assert/strict";
import { mount } from "../src/dispatch/mount.ts";
import { proxy } from "../src/middleware/proxy.ts";
import { upgradeWebSocket } from "../src/websocket.ts";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { connect, deferred, wsUrl } from "./_lib/websocket.ts";
import { freePort } from "./_lib/port.ts";

/** The upstream: echoes, reports the path, subprotocol and forwarding header, and closes on request. */
function upstreamApp(closes: (how: { code: number; reason: string }) => void) {
  return (request: Request) => {
    const { socket, response } = upgradeWebSocket(request, { protocol: ["v2", "v1"] });
    const seen = `${new URL(request.url).pathname} ${request.headers.get("x-forwarded-for")}`;
    socket.onopen = () => socket.send(`${seen} ${socket.protocol}`);
    socket.onmessage = (event) => {
      if (event.data === "close please") socket.close(4002, "upstream says bye");
      else socket.send(event.data);
    };
    socket.onclose = (event) => closes({ code: event.code, reason: event.reason });
    return response;
  };
}

test("websocket proxy: messages both ways, subprotocol, forwarding headers, close codes both ways", async () => {
  let closed = deferred<{ code: number; reason: string }>();
  await withServer(upstreamApp((how) => closed.resolve(how)), async (upstream) => {
    const app = mount({ "/chat": proxy(new URL("/rooms", upstream)), "/live": proxy(wsUrl(upstream, "/rooms")) });
    await withServer(app, async (url) => {
      for (const prefix of ["/chat", "/live"]) {
        closed = deferred();
        const client = await connect(wsUrl(url, `${prefix}/7`), ["v1", "v2"]);
        assert.equal(client.protocol, "v2");
        assert.equal(await client.next(), "/rooms/7 127.0.0.1 v2");
        client.socket.send("through the proxy");
        assert.equal(await client.next(), "through the proxy");
        client.socket.send(new Uint8Array([9, 8, 7]));
        assert.deepEqual(await client.next(), new Uint8Array([9, 8, 7]));
        client.socket.close(4001, "client says bye");
        assert.deepEqual(await closed.promise, { code: 4001, reason: "client says bye" });
        await client.closed;
      }
      const second = await connect(wsUrl(url, "/chat/8"), ["v1"]);
      assert.equal(await second.next(), "/rooms/8 127.0.0.1 v1");
      second.socket.send("close please");
      assert.deepEqual(await second.closed, { code: 4002, reason: "upstream says bye" });
    });
  });
});

test("websocket proxy: 1000 messages keep their order through the proxy", async () => {
  await withServer(upstreamApp(() => {}), async (upstream) => {
    await withServer(proxy(upstream), async (url) => {
      const client = await connect(wsUrl(url, "/"));
      await client.next();
      for (let i = 0; i < 1000; i++) client.socket.send(`m${i}`);
      for (let i = 0; i < 1000; i++) assert.equal(await client.next(), `m${i}`);
      client.socket.close();
    });
  });
});

test("websocket proxy: an unreachable upstream refuses the handshake, and the proxy goes on", async () => {
  const port = await freePort();
  await withServer(proxy(`http://127.0.0.1:${port}`), async (url) => {
    await assert.rejects(connect(wsUrl(url, "/")));
    const plain = await fetch(url);
    assert.equal(plain.status, 502);
    await plain.body?.cancel();
  });
});
