/**
 * upgradeWebSocket() on Workers, through a real workerd: the same handler
 * code as on the other runtimes, answered with a WebSocketPair, from the
 * Workers entry point without `nodejs_compat`. The client is Node's.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { connect, wsUrl } from "./_lib/websocket.ts";

test("websocket workers: echo, subprotocol, close codes and the 426 through workerd", async () => {
  const { startWorkerd } = await import("./_lib/workerd.ts");
  const workerd = await startWorkerd("tests/fixtures/websocket/worker.ts", { compatibilityFlags: [] });
  try {
    const client = await connect(wsUrl(workerd.url, "/ws/room"), ["echo"]);
    assert.equal(client.protocol, "echo");
    assert.equal(await client.next(), "open /room");
    client.socket.send("text");
    assert.equal(await client.next(), "text");
    client.socket.send(new Uint8Array([1, 2, 3]));
    assert.deepEqual(await client.next(), new Uint8Array([1, 2, 3]));
    client.socket.send("close please");
    assert.deepEqual(await client.closed, { code: 4003, reason: "worker says bye" });
    const plain = await fetch(new URL("/ws/room", workerd.url));
    assert.equal(plain.status, 426);
    // workerd drops the hop-by-hop `Upgrade` header from what a Worker answers; the status says it.
    await plain.body?.cancel();
  } finally {
    await workerd.close();
  }
}, { only: ["node"] });
