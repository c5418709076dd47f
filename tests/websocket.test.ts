/**
 * upgradeWebSocket() on Deno, Bun and Node with the runtime's own client:
 * echo of text and binary, order over 10 000 messages, close codes both
 * ways, inside a mount, 200 sockets at once, the size limit (1009), the
 * subprotocol, the 426 of a plain request (the log line and the profile:
 * websocket_measure.test.ts), the disconnect signal, and the clear errors where nothing can upgrade.
 */
import assert from "node:assert/strict";
import { context } from "../src/context.ts";
import { mount } from "../src/dispatch/mount.ts";
import { hosts } from "../src/dispatch/hosts.ts";
import { match } from "../src/dispatch/match.ts";
import { isWebSocketRequest, upgradeWebSocket, webSocket } from "../src/websocket.ts";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { connect, deferred, wsUrl } from "./_lib/websocket.ts";

const echo = webSocket((socket) => {
  socket.onmessage = (event) => socket.send(event.data);
});

test("websocket: echoes text and binary", async () => {
  await withServer(echo, async (url) => {
    const client = await connect(wsUrl(url));
    client.socket.send("hello");
    assert.equal(await client.next(), "hello");
    client.socket.send(new Uint8Array([0, 1, 2, 255]));
    assert.deepEqual(await client.next(), new Uint8Array([0, 1, 2, 255]));
    client.socket.send("");
    assert.equal(await client.next(), "");
    client.socket.close();
    await client.closed;
  });
});

test("websocket: 10 000 messages arrive in order", async () => {
  await withServer(echo, async (url) => {
    const client = await connect(wsUrl(url));
    const count = 10_000;
    for (let i = 0; i < count; i++) client.socket.send(String(i));
    for (let i = 0; i < count; i++) assert.equal(await client.next(), String(i));
    client.socket.close();
    await client.closed;
  });
});

test("websocket: close codes and reasons pass both ways", async () => {
  const seen = deferred<{ code: number; reason: string }>();
  const app = webSocket((socket) => {
    socket.onmessage = (event) => {
      if (event.data === "close me") socket.close(4002, "server says bye");
    };
    socket.onclose = (event) => seen.resolve({ code: event.code, reason: event.reason });
  });
  await withServer(app, async (url) => {
    const first = await connect(wsUrl(url));
    first.socket.close(4001, "client says bye");
    assert.deepEqual(await seen.promise, { code: 4001, reason: "client says bye" });
    await first.closed;
    const second = await connect(wsUrl(url));
    second.socket.send("close me");
    assert.deepEqual(await second.closed, { code: 4002, reason: "server says bye" });
  });
});

test("websocket: a socket inside a mount at /ws, plain requests answered 426 with Upgrade", async () => {
  const app = mount({
    "/ws": webSocket((socket, request) => {
      const seen = `base ${context(request).base} path ${new URL(request.url).pathname}`;
      socket.onopen = () => socket.send(seen);
    }),
    "/": () => new Response("home"),
  });
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url, "/ws/room"));
    assert.equal(await client.next(), "base /ws path /room");
    client.socket.close();
    // The mount's own path: no 308 (a WebSocket client follows none), the app's `/`.
    const bare = await connect(wsUrl(url, "/ws"));
    assert.equal(await bare.next(), "base /ws path /");
    bare.socket.close();
    const plain = await fetch(new URL("/ws/room", url));
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.get("upgrade"), "websocket");
    assert.match(await plain.text(), /Upgrade Required/);
    assert.equal(await (await fetch(url)).text(), "home");
  });
});

test("websocket: inside hosts and match", async () => {
  const app = hosts({
    "127.0.0.1": match(
      "/rooms/:id",
      webSocket((socket, request) => {
        const room = context(request).params.id;
        socket.onopen = () => socket.send(`room ${room}`);
      }),
    ),
  });
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url, "/rooms/42"));
    assert.equal(await client.next(), "room 42");
    client.socket.close();
  });
});

test("websocket: 200 sockets at once", async () => {
  await withServer(echo, async (url) => {
    const clients = await Promise.all(Array.from({ length: 200 }, () => connect(wsUrl(url), undefined, 30_000)));
    clients.forEach((client, i) => client.socket.send(`socket ${i}`));
    const answers = await Promise.all(clients.map((client) => client.next(30_000)));
    answers.forEach((answer, i) => assert.equal(answer, `socket ${i}`));
    for (const client of clients) client.socket.close();
    await Promise.all(clients.map((client) => client.closed));
  });
});

test("websocket: a message over limits.maxMessageSize closes with 1009 and is not delivered", async () => {
  let delivered = 0;
  const app = webSocket((socket) => {
    socket.onmessage = (event) => {
      delivered++;
      socket.send(event.data);
    };
  });
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url));
    client.socket.send("x".repeat(1024));
    assert.equal((await client.next()).length, 1024);
    client.socket.send("y".repeat(1025));
    const closed = await client.closed;
    assert.equal(closed.code, 1009);
    assert.equal(delivered, 1);
  }, { limits: { maxMessageSize: 1024 } });
});

test("websocket: the subprotocol is the server's first choice among the client's offers", async () => {
  const app = webSocket((socket) => {
    socket.onopen = () => socket.send(`protocol ${socket.protocol}`);
  }, { protocol: ["v2.chat", "v1.chat"] });
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url), ["v1.chat", "v2.chat"]);
    assert.equal(client.protocol, "v2.chat");
    assert.equal(await client.next(), "protocol v2.chat");
    client.socket.close();
    const none = await connect(wsUrl(url));
    assert.equal(none.protocol, "");
    none.socket.close();
  });
});

test("websocket: context(request).signal aborts when the client goes away", async () => {
  const aborted = deferred<string>();
  const app = (request: Request) => {
    const { socket, response } = upgradeWebSocket(request);
    socket.onopen = () => socket.send("open");
    context(request).signal.addEventListener("abort", () => aborted.resolve("aborted"));
    return response;
  };
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url));
    assert.equal(await client.next(), "open");
    client.socket.close(1000);
    assert.equal(await aborted.promise, "aborted");
  });
});

test("websocket: bufferedAmount and readyState follow the standard", async () => {
  const report = deferred<string>();
  const app = (request: Request) => {
    const { socket, response } = upgradeWebSocket(request);
    socket.onopen = () => {
      const states = [socket.readyState === socket.OPEN, typeof socket.bufferedAmount === "number"];
      socket.send("x".repeat(256 * 1024));
      report.resolve(`${states.join(" ")} ${socket.binaryType}`);
    };
    return response;
  };
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url));
    assert.equal(await report.promise, "true true arraybuffer");
    assert.equal((await client.next()).length, 256 * 1024);
    client.socket.close();
  });
});

test("websocket: where nothing can upgrade, a clear TypeError", () => {
  const upgrade = new Request("http://localhost/ws", {
    headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
  });
  assert.equal(isWebSocketRequest(upgrade), true);
  assert.throws(() => upgradeWebSocket(upgrade), { name: "TypeError", message: /no server that can upgrade/ });
  assert.throws(() => upgradeWebSocket(new Request("http://localhost/")), {
    name: "TypeError",
    message: /not a WebSocket upgrade/,
  });
  assert.throws(() => upgradeWebSocket(upgrade, { protocol: 7 as never }), { name: "TypeError", message: /protocol/ });
  assert.throws(() => webSocket("nope" as never), { name: "TypeError", message: /onSocket/ });
});

test("websocket: an upgrade request the app answers otherwise gets that answer, and the server goes on", async () => {
  const app = (request: Request) =>
    new URL(request.url).pathname === "/ws" ? echo(request) : new Response("no sockets here", { status: 403 });
  await withServer(app, async (url) => {
    await assert.rejects(connect(wsUrl(url, "/private")));
    const client = await connect(wsUrl(url, "/ws"));
    client.socket.send("still here");
    assert.equal(await client.next(), "still here");
    client.socket.close();
    assert.equal(await (await fetch(new URL("/private", url))).status, 403);
  });
});

test("websocket: the server socket's message events follow the standard (listeners, once, handleEvent, order)", async () => {
  const report = deferred<string>();
  const app = (request: Request) => {
    const { socket, response } = upgradeWebSocket(request);
    const seen: string[] = [];
    socket.addEventListener("message", (event) => {
      seen.push(`first:${event.data} ${event instanceof MessageEvent} ${event.target === socket}`);
    });
    socket.addEventListener("message", () => seen.push("once"), { once: true });
    socket.addEventListener("message", {
      handleEvent(event: Event) {
        seen.push(`object:${(event as MessageEvent).data}`);
        if ((event as MessageEvent).data === "2") report.resolve(seen.join(", "));
      },
    });
    const removed = () => seen.push("removed");
    socket.addEventListener("message", removed);
    socket.removeEventListener("message", removed);
    return response;
  };
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url));
    client.socket.send("1");
    client.socket.send("2");
    assert.equal(await report.promise, "first:1 true true, once, object:1, first:2 true true, object:2");
    client.socket.close();
  });
});
