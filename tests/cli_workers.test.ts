/**
 * `serve.ts --workers 2`: two processes answer on one port (SO_REUSEPORT on
 * Deno and Bun, node:cluster on Node), and SIGTERM stops them all with exit 0.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { fixture, root, scriptCommand, startServing } from "./fixtures/serve/harness.ts";

/** One request on a fresh connection (the kernel spreads connections, not requests). */
function pidOf(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: "close" } }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(JSON.parse(body).pid));
    });
    req.on("error", reject);
    req.end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("workers: --workers 2 serves from two processes and SIGTERM stops them all", async () => {
  const proc = await startServing(scriptCommand(join(root, "serve.ts"), fixture("hello.ts"), "--workers", "2"));
  try {
    // The port answers as soon as one worker listens; the address is printed once all do.
    assert.ok(await proc.waitFor(/Listening on/), proc.output());
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(await pidOf(proc.url));
    assert.equal(pids.size, 2, `answers came from ${[...pids].join(", ")}\n${proc.output()}`);
    assert.equal((proc.output().match(/Listening on/g) ?? []).length, 1, "the primary prints the address once");
    proc.signal("SIGTERM");
    assert.equal(await proc.exited, 0, proc.output());
    await new Promise((r) => setTimeout(r, 200));
    for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} is gone`);
  } finally {
    await proc.kill();
  }
}, { skip: ["workerd"], timeout: 60_000 });

test("workers: a worker killed by a signal is named with it and replaced", async () => {
  const proc = await startServing(scriptCommand(join(root, "serve.ts"), fixture("hello.ts"), "--workers", "2"));
  try {
    assert.ok(await proc.waitFor(/Listening on/), proc.output());
    const victim = await pidOf(proc.url);
    process.kill(victim, "SIGKILL");
    assert.ok(
      await proc.waitFor(/fetchkit: worker [12] killed by SIGKILL, starting another\n/),
      `the primary names the signal:\n${proc.output()}`,
    );
    assert.doesNotMatch(proc.output(), /exited \(null\)/);
    // The replacement serves: answers keep coming, from pids other than the victim.
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(await pidOf(proc.url).catch(() => victim));
    pids.delete(victim);
    assert.ok(pids.size >= 1, proc.output());
    proc.signal("SIGTERM");
    assert.equal(await proc.exited, 0, proc.output());
  } finally {
    await proc.kill();
  }
}, { skip: ["workerd"], timeout: 60_000 });
