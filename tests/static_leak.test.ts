/**
 * Resources: 2,000 downloads aborted mid-stream (whole files, single ranges,
 * multipart) leave no file of the root open, on every runtime. Counted from
 * /proc/self/fd, where the server under test lives.
 */
import assert from "node:assert/strict";
import { readdirSync, readlinkSync, truncateSync } from "node:fs";
import { connect } from "node:net";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { makeFixture, pattern } from "./_lib/static_fixture.ts";
import { serveStatic } from "../src/static/mod.ts";

const fx = makeFixture();
fx.write("big.bin", pattern(8 * 1024 * 1024));
fx.write("medium.bin", pattern(1024 * 1024));

const hasProc = (() => {
  try {
    readdirSync("/proc/self/fd");
    return true;
  } catch {
    return false;
  }
})();

/** Open descriptors of this process that point into the served root. */
function openFilesInRoot(): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(fx.root)) count++;
    } catch { /* closed meanwhile */ }
  }
  return count;
}

/**
 * Sends a request, waits for the first bytes of the response, then drops the
 * connection: at once, or after stalling long enough for the server's buffers
 * and the file stream's queue to fill (then no read is in flight when the
 * client goes, and only a cancel can close the file).
 */
function abortAfterFirstBytes(url: URL, target: string, headers: string, stall: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = 0;
    socket.on("connect", () => socket.write(`GET ${target} HTTP/1.1\r\nhost: x\r\n${headers}\r\n`));
    socket.on("data", (chunk: Uint8Array) => {
      received += chunk.length;
      if (received <= 1024) return;
      if (!stall) return void socket.destroy();
      socket.pause();
      setTimeout(() => socket.destroy(), 30);
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received > 0));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

/**
 * Node closes a FileHandle that was garbage collected while open, with a
 * warning: that is a leak the fd count alone could miss, so it fails too.
 */
const gcClosed: string[] = [];
(globalThis as { process?: { on?(event: string, listener: (warning: Error) => void): void } }).process?.on?.(
  "warning",
  (warning) => {
    if (/on garbage collection/.test(warning.message)) gcClosed.push(warning.message);
  },
);

async function settle(baseline: number): Promise<number> {
  let now = openFilesInRoot();
  for (let i = 0; i < 100 && now > baseline; i++) {
    await new Promise((r) => setTimeout(r, 20));
    now = openFilesInRoot();
  }
  return now;
}

test("leaks: 2,000 downloads aborted mid-stream leave no file open", async () => {
  if (!hasProc) {
    console.log("skipped: no /proc/self/fd on this system");
    return;
  }
  await withServer(serveStatic(fx.root), async (url) => {
    const baseline = openFilesInRoot();
    const kinds = [
      ["/big.bin", ""],
      ["/big.bin", "range: bytes=100-\r\n"],
      ["/medium.bin", "range: bytes=0-10,500000-900000\r\n"],
      ["/big.bin", "range: bytes=-5000000\r\n"],
    ] as const;
    let next = 0;
    let answered = 0;
    const worker = async () => {
      while (next < 2000) {
        const n = next++;
        const [target, headers] = kinds[n % kinds.length];
        if (await abortAfterFirstBytes(url, target, headers, n % 5 === 0)) answered++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.ok(answered > 1900, `only ${answered} of 2000 downloads started`);
    const after = await settle(baseline);
    assert.equal(after, baseline, `open files in the root: ${baseline} before, ${after} after`);
    assert.deepEqual(gcClosed, [], "files left for the garbage collector to close");
  });
});

test("leaks: completed downloads and HEAD requests close their files too", async () => {
  if (!hasProc) return;
  await withServer(serveStatic(fx.root), async (url) => {
    const baseline = openFilesInRoot();
    for (let i = 0; i < 20; i++) {
      const response = await fetch(new URL("/big.bin", url), { headers: { range: "bytes=0-99999" } });
      assert.equal((await response.arrayBuffer()).byteLength, 100000);
      await (await fetch(new URL("/big.bin", url), { method: "HEAD" })).arrayBuffer();
      await (await fetch(new URL("/medium.bin", url))).arrayBuffer();
    }
    assert.equal(await settle(baseline), baseline);
  });
});

test("leaks: a file truncated mid-stream ends the responses with an error and closes the file", async () => {
  if (!hasProc) return;
  const file = fx.write("shrinking.bin", pattern(8 * 1024 * 1024));
  await withServer(serveStatic(fx.root), async (url) => {
    const baseline = openFilesInRoot();
    const downloads = Array.from({ length: 12 }, (_, i) =>
      new Promise<number>((resolve) => {
        const socket = connect(Number(url.port), url.hostname);
        let received = 0;
        const range = i % 2 === 0 ? "" : "range: bytes=1000-\r\n";
        socket.on("connect", () =>
          socket.write(`GET /shrinking.bin HTTP/1.1\r\nhost: x\r\n${range}connection: close\r\n\r\n`));
        socket.on("data", (chunk: Uint8Array) => {
          received += chunk.length;
          // Read slowly at first, so that most of the file is still unsent when it shrinks.
          if (received < 256 * 1024) {
            socket.pause();
            setTimeout(() =>
              socket.resume(), 20);
          }
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve(received));
        socket.setTimeout(10_000, () => socket.destroy());
      }));
    await new Promise((r) => setTimeout(r, 50));
    truncateSync(file, 1024 * 1024);
    const received = await Promise.all(downloads);
    // The point is the error path: most responses must have been cut short by the truncation.
    const cut = received.filter((n) => n < 8 * 1024 * 1024).length;
    assert.ok(cut >= received.length / 2, `only ${cut} responses were cut short: ${received}`);
    assert.equal(await settle(baseline), baseline);
  });
});

test("leaks: cleanup", () => fx.remove());
