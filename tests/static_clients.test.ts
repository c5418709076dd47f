/** Real clients agree with serveStatic: `curl -z` and `wget -N` (If-Modified-Since), `curl -C -` (Range resume). */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { makeFixture, MTIME, pattern } from "./_lib/static_fixture.ts";
import { serveStatic } from "../src/static/mod.ts";
import type { Handler } from "../src/handler.ts";

const fx = makeFixture();
const DATA = pattern(2 * 1024 * 1024 + 3);
const served = fx.write("data.bin", DATA);
fx.write("small.txt", "small file\n");
const work = mkdtempSync(join(tmpdir(), "fetchkit-clients-"));

const missing = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0;
const run = (command: string, args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(
      command,
      args,
      { cwd: work },
      (error, stdout, stderr) => (error ? reject(new Error(`${error}\n${stderr}`)) : resolve(stdout + stderr)),
    )
  );

/** The handler, recording each request's conditional headers and the status answered. */
function recording(log: string[]): Handler {
  const files = serveStatic(fx.root, { cache: { statTtl: 0 } });
  return async (request) => {
    const response = await files(request);
    const conditions = ["if-modified-since", "range", "if-range"].filter((h) => request.headers.has(h));
    log.push(`${request.method} ${response.status} ${conditions.join(",")}`.trim());
    return response;
  };
}

test("clients: curl -z downloads only when the file is newer (If-Modified-Since)", async () => {
  if (missing("curl")) return console.log("skipped: curl is not installed");
  const log: string[] = [];
  await withServer(recording(log), async (url) => {
    const target = new URL("/small.txt", url).href;
    assert.equal(await run("curl", ["-sS", "-R", "-o", "small.txt", "-w", "%{http_code}", target]), "200");
    assert.equal(statSync(join(work, "small.txt")).mtimeMs, MTIME.getTime(), "curl -R took Last-Modified");
    assert.equal(await run("curl", ["-sS", "-z", "small.txt", "-o", "again.txt", "-w", "%{http_code}", target]), "304");
    const newer = new Date(MTIME.getTime() + 60_000);
    utimesSync(join(fx.root, "small.txt"), newer, newer);
    assert.equal(await run("curl", ["-sS", "-z", "small.txt", "-o", "again.txt", "-w", "%{http_code}", target]), "200");
    assert.equal(readFileSync(join(work, "again.txt"), "utf8"), "small file\n");
  });
  assert.deepEqual(log, ["GET 200", "GET 304 if-modified-since", "GET 200 if-modified-since"]);
});

test("clients: wget -N skips an unchanged file and fetches a changed one", async () => {
  if (missing("wget")) return console.log("skipped: wget is not installed");
  const log: string[] = [];
  fx.write("wget.txt", "first\n");
  await withServer(recording(log), async (url) => {
    const target = new URL("/wget.txt", url).href;
    await run("wget", ["-q", "-N", target]);
    assert.equal(readFileSync(join(work, "wget.txt"), "utf8"), "first\n");
    await run("wget", ["-N", target]);
    assert.equal(readFileSync(join(work, "wget.txt"), "utf8"), "first\n");
    fx.write("wget.txt", "second\n", new Date(MTIME.getTime() + 120_000));
    await run("wget", ["-q", "-N", target]);
    assert.equal(readFileSync(join(work, "wget.txt"), "utf8"), "second\n");
  });
  // wget -N asks with If-Modified-Since (or a HEAD first, in older versions); never a full re-download when unchanged.
  const unchanged = log.filter((line) => line.includes("304") || line.startsWith("HEAD"));
  assert.ok(unchanged.length >= 1, log.join(" | "));
  assert.equal(log.filter((line) => line.startsWith("GET 200")).length, 2, log.join(" | "));
});

test("clients: curl -C - resumes a partial download with a Range request", async () => {
  if (missing("curl")) return console.log("skipped: curl is not installed");
  const log: string[] = [];
  const part = join(work, "data.bin");
  writeFileSync(part, DATA.subarray(0, 700_001));
  await withServer(recording(log), async (url) => {
    const code = await run("curl", [
      "-sS",
      "-C",
      "-",
      "-o",
      "data.bin",
      "-w",
      "%{http_code}",
      new URL("/data.bin", url).href,
    ]);
    assert.equal(code, "206");
  });
  assert.deepEqual(new Uint8Array(readFileSync(part)), DATA);
  assert.deepEqual(log, ["GET 206 range"]);
  assert.ok(statSync(served).size === DATA.length);
});

test("clients: cleanup", () => {
  fx.remove();
  rmSync(work, { recursive: true, force: true });
});
