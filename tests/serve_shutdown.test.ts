/**
 * The shutdown race (nodejs/node#60617): a client reuses an idle keep-alive
 * connection just as the server gets SIGTERM. Each such request must get a
 * whole answer, or the connection a clean close with no byte of an answer —
 * never a reset. The server is the CLI in a subprocess, stopped by a real
 * signal; the connections are reused 0–5 ms after it, spread over the window.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { fixture, root, scriptCommand, startServing } from "./fixtures/serve/harness.ts";
import { isCompleteResponse, type RawConnection, rawConnection, spin } from "./_lib/raw_http.ts";

const CONNECTIONS = 40;
const ROUNDS = 5;
const WINDOW_MS = 5;

const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

/** What one reused connection got: "answer", "answer+close" (`Connection: close`), "eof" (nothing), or the error. */
function outcome(connection: RawConnection): string {
  if (connection.ending() === "reset") return `reset (${connection.error()})`;
  const received = connection.received();
  if (received === "") return connection.ending() === "end" ? "eof" : "still open";
  if (!isCompleteResponse(received)) return `partial answer ${JSON.stringify(received.slice(0, 40))}`;
  return /\r\nconnection:\s*close\r\n/i.test(received) ? "answer+close" : "answer";
}

async function round(): Promise<Record<string, number>> {
  const proc = await startServing(scriptCommand(join(root, "serve.ts"), fixture("hello.ts")));
  const connections: RawConnection[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i++) connections.push(rawConnection(proc.port));
    for (const connection of connections) connection.write(request("/first"));
    for (const connection of connections) {
      assert.ok(await connection.until(isCompleteResponse), `first answer: ${connection.received()}`);
      connection.clear();
    }
    proc.signal("SIGTERM");
    const started = performance.now();
    for (let i = 0; i < CONNECTIONS; i++) {
      spin(started + (WINDOW_MS * i) / CONNECTIONS - performance.now());
      connections[i].write(request(`/again/${i}`));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(connections.map((connection) => connection.closed)),
      new Promise((resolve) => (timer = setTimeout(resolve, 8000))),
    ]);
    clearTimeout(timer);
    const counts: Record<string, number> = {};
    for (const connection of connections) {
      const seen = outcome(connection);
      counts[seen] = (counts[seen] ?? 0) + 1;
    }
    assert.equal(await proc.exited, 0, proc.output());
    return counts;
  } finally {
    for (const connection of connections) connection.destroy();
    await proc.kill();
  }
}

test(
  "shutdown: idle keep-alive connections reused 0-5 ms after SIGTERM get an answer or a clean close, never a reset",
  async () => {
    const rounds: Record<string, number>[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
    const seen = JSON.stringify(rounds);
    for (const counts of rounds) {
      for (const kind of Object.keys(counts)) {
        assert.ok(["answer", "answer+close", "eof"].includes(kind), `${runtime}: ${kind} in ${seen}`);
      }
    }
  },
  { skip: ["workerd"], timeout: 90_000 },
);
