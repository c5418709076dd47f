/**
 * A WebSocket in the access log and the profile, on Deno, Bun and Node with
 * the runtime's own client: one log line, written when the socket closes,
 * with the session's duration and close code; the profile counts the
 * handshake as a request (with the time to its 101) and the session once,
 * apart, when it closes, on the snapshot, the page and the Prometheus text.
 */
import assert from "node:assert/strict";
import { compose } from "../src/handler.ts";
import { mount } from "../src/dispatch/mount.ts";
import { logger } from "../src/middleware/logger.ts";
import { profile } from "../src/middleware/profile.ts";
import { errors } from "../src/middleware/errors.ts";
import { webSocket } from "../src/websocket.ts";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { connect, wsUrl } from "./_lib/websocket.ts";
import { eventually } from "./_lib/wait.ts";

/** Echoes; "fail" makes the server close with 1011. */
const echo = webSocket((socket) => {
  socket.onmessage = (event) => {
    if (event.data === "fail") socket.close(1011, "server error");
    else socket.send(event.data);
  };
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the first session stays open (ms): its duration must show, its handshake's latency must not. */
const HELD = 400;

test("websocket measure: one log line per socket, at its close, with the session's duration and close code", async () => {
  const common: string[] = [];
  const json: string[] = [];
  const app = compose(
    logger({ format: "common", write: (line) => common.push(line) }),
    logger({ format: "json", write: (line) => json.push(line) }),
    errors(),
  )(mount({ "/ws": echo }));
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url, "/ws?room=1"));
    client.socket.send("ping");
    assert.equal(await client.next(), "ping");
    await sleep(HELD);
    assert.deepEqual(common, [], "a line was written while the socket was open");
    client.socket.close(4001, "bye");
    await client.closed;
    await eventually(() => common.length === 1 && json.length === 1, "the log lines of the closed socket");
    assert.match(common[0], /"GET \/ws\?room=1 HTTP\/1\.1" 101 0 (\d+\.\d{3})ms ws_close=4001$/);
    const ms = Number(/ (\d+\.\d{3})ms/.exec(common[0])![1]);
    assert.ok(ms >= HELD, `the line's duration ${ms} ms is the session's`);
    const entry = JSON.parse(json[0]);
    assert.equal(entry.status, 101);
    assert.equal(entry.wsClose, 4001);
    assert.ok(entry.ms >= HELD);

    const failing = await connect(wsUrl(url, "/ws"));
    failing.socket.send("fail");
    assert.equal((await failing.closed).code, 1011);
    await eventually(() => common.length === 2, "the line of the socket the server closed");
    assert.match(common[1], /" 101 0 \d+\.\d{3}ms ws_close=1011$/);
  });
  assert.equal(common.length, 2, common.join("\n"));
});

test("websocket measure: the profile counts the handshake as a request and the session once, apart", async () => {
  const profiler = profile({ mode: "development" });
  const app = compose(errors(), profiler)(mount({ "/ws": echo, "/": () => new Response("page") }));
  await withServer(app, async (url) => {
    const client = await connect(wsUrl(url, "/ws"));
    await eventually(() => profiler.snapshot().webSockets.open === 1, "the open session");
    const open = profiler.snapshot();
    assert.equal(open.requests, 1);
    assert.deepEqual(open.webSockets.routes.map((r) => [r.route, r.count, r.open]), [["/ws", 0, 1]]);
    await sleep(HELD);
    client.socket.close(1000);
    await client.closed;
    await eventually(() => profiler.snapshot().webSockets.open === 0, "the closed session");
    const failing = await connect(wsUrl(url, "/ws"));
    failing.socket.send("fail");
    await failing.closed;
    await eventually(() => profiler.snapshot().webSockets.routes[0]?.count === 2, "the second session");

    const snapshot = profiler.snapshot();
    assert.equal(snapshot.requests, 2, "each handshake is one request");
    const handshakes = snapshot.routes.find((route) => route.route === "/ws")!;
    assert.ok(handshakes.maxMs < HELD, `the handshakes' latency (${handshakes.maxMs} ms) holds no session time`);
    const [sessions] = snapshot.webSockets.routes;
    assert.equal(sessions.route, "/ws");
    assert.equal(sessions.method, "GET");
    assert.equal(sessions.count, 2);
    assert.equal(sessions.open, 0);
    assert.equal(sessions.abnormal, 1, "the 1011");
    assert.ok(sessions.maxMs >= HELD && sessions.totalMs >= HELD, JSON.stringify(sessions));

    const text = await (await fetch(new URL("/__profile__?format=prometheus", url))).text();
    const labels = 'http_request_method="GET",http_route="/ws"';
    assert.match(text, /^# TYPE websocket_server_session_duration_seconds histogram$/m);
    assert.match(
      text,
      new RegExp(`^websocket_server_session_duration_seconds_bucket\\{${labels},le="0\\.1"\\} 1$`, "m"),
    );
    assert.match(text, new RegExp(`^websocket_server_session_duration_seconds_bucket\\{${labels},le="1"\\} 2$`, "m"));
    assert.match(text, new RegExp(`^websocket_server_session_duration_seconds_count\\{${labels}\\} 2$`, "m"));
    assert.match(text, /^websocket_server_active_sessions 0$/m);
    const page = await (await fetch(new URL("/__profile__", url))).text();
    assert.match(page, /<table id="websocket-table">/);

    // A reset forgets the closed sessions; one open across it is counted when it closes.
    const across = await connect(wsUrl(url, "/ws"));
    await eventually(() => profiler.snapshot().webSockets.open === 1, "the session open across the reset");
    profiler.reset();
    assert.deepEqual(profiler.snapshot().webSockets.routes.map((r) => [r.count, r.open]), [[0, 1]]);
    across.socket.close();
    await across.closed;
    await eventually(() => profiler.snapshot().webSockets.routes[0]?.count === 1, "the close after the reset");
    assert.equal(profiler.snapshot().webSockets.open, 0);
  });
});
