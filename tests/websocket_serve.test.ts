/**
 * WebSockets from a served app module in a subprocess: the fetchkit command
 * stopped by SIGTERM while sockets are open (the in-flight HTTP request is
 * answered, then each socket gets 1001, and the process exits 0), and the
 * same module under `deno serve` and `bun run`, which serve it themselves.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { bin, root, scriptCommand, startServing } from "./fixtures/serve/harness.ts";
import { connect, wsUrl } from "./_lib/websocket.ts";
import { freePort } from "./_lib/port.ts";

const app = join(root, "tests", "fixtures", "websocket", "echo_app.ts");

test("websocket serve: SIGTERM answers the in-flight request, closes open sockets with 1001, exits 0", async () => {
  const proc = await startServing(scriptCommand(join(root, "serve.ts"), app));
  try {
    const sockets = await Promise.all([1, 2, 3].map(() => connect(wsUrl(proc.url, "/ws"))));
    for (const client of sockets) {
      client.socket.send("before");
      assert.equal(await client.next(), "before");
    }
    const inFlight = fetch(new URL("/slow/?ms=600", proc.url)).then(async (response) => {
      const text = await response.text();
      return { text, at: performance.now() };
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    proc.signal("SIGTERM");
    const closed = await Promise.all(
      sockets.map((client) => client.closed.then((how) => ({ ...how, at: performance.now() }))),
    );
    const answered = await inFlight;
    assert.equal(answered.text, "slept 600");
    for (const how of closed) {
      assert.equal(how.code, 1001, proc.output());
      // Deno closes its sockets itself when its server shuts down, at once; the others once HTTP is drained.
      if (runtime !== "deno") {
        assert.ok(how.at >= answered.at - 50, "the sockets went away after the in-flight answer");
      }
    }
    assert.equal(await proc.exited, 0, proc.output());
    // Each socket's log line, written at its close, made it out before the exit (Deno closes its sockets itself,
    // and its server end reports the client's echo of the 1001, without a code).
    const lines = proc.output().match(/"GET \/ws HTTP\/1\.1" 101 0 \S+ms ws_close=(\d+)/g) ?? [];
    assert.equal(lines.length, 3, proc.output());
    for (const line of lines) assert.match(line, runtime === "deno" ? /ws_close=100[15]$/ : /ws_close=1001$/);
  } finally {
    await proc.kill();
  }
});

test("websocket serve: deno serve serves a defineApp module's sockets", async () => {
  const port = await freePort();
  const proc = await startServing([bin("deno"), "serve", "-A", "--no-check", "--port", String(port), app], { port });
  try {
    const client = await connect(wsUrl(proc.url, "/ws"));
    client.socket.send("from deno serve");
    assert.equal(await client.next(), "from deno serve");
    client.socket.close(4000, "done");
    assert.equal((await client.closed).code, 4000);
  } finally {
    await proc.kill();
  }
}, { only: ["deno"] });

test("websocket serve: bun run serves a defineApp module's sockets (its websocket handlers exported)", async () => {
  const proc = await startServing([bin("bun"), "run", app]);
  try {
    const client = await connect(wsUrl(proc.url, "/ws"));
    client.socket.send("from bun run");
    assert.equal(await client.next(), "from bun run");
    client.socket.send(new Uint8Array([7, 8, 9]));
    assert.deepEqual(await client.next(), new Uint8Array([7, 8, 9]));
    client.socket.close(4000, "done");
    assert.equal((await client.closed).code, 4000);
  } finally {
    await proc.kill();
  }
}, { only: ["bun"] });
