/**
 * The timeouts of the limits table, per runtime, over raw TCP against a server
 * with small limits started here: a head dribbled byte by byte (slowloris), a
 * body that stops arriving, an idle keep-alive connection, and a handler
 * slower than `idleTimeout`. Where a runtime cannot do what the limit says
 * (README, "Limits"), the test pins down what it does instead.
 */
import assert from "node:assert/strict";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { isCompleteResponse, type RawConnection, rawConnection } from "./_lib/raw_http.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const opts = { skip: ["workerd" as const], timeout: 40_000 };

const app = async (request: Request) => {
  const url = new URL(request.url);
  if (url.pathname === "/slow") await sleep(Number(url.searchParams.get("ms")));
  if (request.method === "POST") return new Response(await request.text());
  return new Response("ok");
};

/** Resolves once the connection ends, or after `ms`; tells which. */
async function endsWithin(connection: RawConnection, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = await Promise.race([
    connection.closed.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false))),
  ]);
  clearTimeout(timer);
  return ended || connection.ending() !== "open";
}

/** Sends a request head one byte every 200 ms until the connection ends or `ms` pass; resolves when it ended (ms since start). */
async function slowloris(port: number, ms: number) {
  const connection = rawConnection(port);
  const started = Date.now();
  connection.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  while (Date.now() - started < ms && connection.ending() === "open" && !connection.socket.destroyed) {
    await sleep(200);
    if (connection.ending() === "open" && !connection.socket.destroyed) connection.write("a");
  }
  return { connection, open: connection.ending() === "open" && !connection.socket.destroyed, at: Date.now() - started };
}

test(
  "limits: a head that does not arrive within requestTimeout is cut (408 on Node, Bun's own ~10 s, none on Deno)",
  async () => {
    await withServer(app, async (url) => {
      const port = Number(url.port);
      if (runtime === "node") {
        const { connection, open, at } = await slowloris(port, 5000);
        assert.equal(open, false, "the dribbled head is cut");
        assert.ok(at < 4000, `cut after ${at} ms`);
        assert.match(connection.received(), /^HTTP\/1\.1 408/);
      } else if (runtime === "bun") {
        // Bun's head timer is its own (about 10 s, checked every 4 s), whatever requestTimeout says.
        const { connection, open, at } = await slowloris(port, 20_000);
        assert.equal(open, false, "Bun cuts the dribbled head");
        assert.ok(at > 6000 && at < 17_000, `cut after ${at} ms`);
        assert.equal(connection.received(), "", "with no answer");
      } else {
        // Deno.serve has no header-read timeout, and no hook before the head is complete.
        const { connection, open } = await slowloris(port, 3000);
        assert.equal(open, true, "Deno keeps the connection while the head dribbles in");
        connection.destroy();
      }
    }, { limits: { requestTimeout: 1000 } });
  },
  opts,
);

test(
  "limits: a body that stops arriving is 408 after requestTimeout, and the connection closes (not on Deno)",
  async () => {
    await withServer(app, async (url) => {
      const connection = rawConnection(Number(url.port));
      try {
        connection.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789");
        const started = Date.now();
        assert.ok(await connection.until((text) => /^HTTP\/1\.1 408/.test(text), 5000), connection.received());
        assert.ok(Date.now() - started >= 900, `408 after ${Date.now() - started} ms`);
        // Deno ignores `Connection: close` from a handler, and a pending read of the body holds the connection.
        const closes = await endsWithin(connection, runtime === "deno" ? 2000 : 3000);
        assert.equal(closes, runtime !== "deno", `${runtime}: closed after the 408: ${closes}`);
      } finally {
        connection.destroy();
      }
    }, { limits: { requestTimeout: 1000 } });
  },
  opts,
);

test(
  "limits: idleTimeout closes a keep-alive connection between requests (Bun: whole seconds, checked every 4 s; not Deno)",
  async () => {
    await withServer(app, async (url) => {
      const connection = rawConnection(Number(url.port));
      try {
        connection.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assert.ok(await connection.until(isCompleteResponse), connection.received());
        const started = Date.now();
        const closes = await endsWithin(connection, runtime === "bun" ? 7000 : runtime === "deno" ? 2500 : 3500);
        if (runtime === "deno") return assert.equal(closes, false, "Deno has no keep-alive idle timeout");
        assert.equal(closes, true, "the idle connection is closed");
        assert.ok(Date.now() - started >= 900, `closed after ${Date.now() - started} ms`);
        assert.equal(connection.ending(), "end", "with a clean FIN");
      } finally {
        connection.destroy();
      }
    }, { limits: { idleTimeout: 1000 } });
  },
  opts,
);

test("limits: idleTimeout never cuts a handler that works longer", async () => {
  // Longer than Bun's idle timer really waits (1 s rounds up to the next 4 s check).
  const ms = runtime === "bun" ? 5500 : 2500;
  await withServer(app, async (url) => {
    const connection = rawConnection(Number(url.port));
    try {
      connection.write(`GET /slow?ms=${ms} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      assert.ok(
        await connection.until(isCompleteResponse, ms + 5000),
        `${connection.ending()}: ${connection.received()}`,
      );
      assert.match(connection.received(), /^HTTP\/1\.1 200/);
      // The idle timer runs again once the response is out (Deno: no idle timer).
      connection.clear();
      connection.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assert.ok(await connection.until(isCompleteResponse), "the connection is still usable");
      if (runtime !== "deno") assert.equal(await endsWithin(connection, 7000), true, "then closed when idle");
    } finally {
      connection.destroy();
    }
  }, { limits: { idleTimeout: 1000 } });
}, { ...opts, timeout: 30_000 });
