/**
 * The quick revalidation of an expired stat cache entry: one stat of the
 * file and of its folder instead of a full resolution, when both show what
 * the check saw. Anything else (a swap for a symlink out of the root, new
 * content, a new precompressed sibling) must be found as a full resolution
 * finds it. The folders are left alone for longer than the source's
 * settling time first, since a folder changed just now is always resolved
 * in full.
 */
import assert from "node:assert/strict";
import { mkdirSync, renameSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { rawRequest } from "./_lib/static_http.ts";
import { type Fixture, makeFixture, MTIME } from "./_lib/static_fixture.ts";
import { serveStatic } from "../src/static/mod.ts";
import type { FileSource, FileStat } from "../src/static/source.ts";
import { fileSystemSource } from "../src/static/sources/fs.ts";
import { SETTLED_MS } from "../src/static/sources/fs_common.ts";

const TTL = 60;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const INSIDE = "inside: the file served\n";
/** The same length as INSIDE, so only the identity of the file tells them apart. */
const SECRET = "SECRET: outside the root\n".slice(0, INSIDE.length).padEnd(INSIDE.length, "!");

/** `s/a.txt` inside, `s/a.txt` and `s2/a.txt` outside with the same size and mtime. */
function fixture(): Fixture {
  const fx = makeFixture();
  fx.write("s/a.txt", INSIDE);
  for (const folder of ["s", "s2"]) {
    mkdirSync(join(fx.outside, folder), { recursive: true });
    writeFileSync(join(fx.outside, folder, "a.txt"), SECRET);
    utimesSync(join(fx.outside, folder, "a.txt"), MTIME, MTIME);
  }
  return fx;
}

/** Fixtures made once and left to settle, so each test starts from folders the quick path trusts. */
const settled: Promise<Fixture[]> = (async () => {
  const made = Array.from({ length: 5 }, fixture);
  await delay(SETTLED_MS + 300);
  return made;
})();
let next = 0;
async function settledFixture(): Promise<Fixture> {
  return (await settled)[next++];
}

/** Serves `s/a.txt` once, then again after the TTL (the quick revalidation), then runs `body`. */
async function afterQuickRevalidation(fx: Fixture, body: (url: URL) => Promise<void>): Promise<void> {
  await withServer(serveStatic(fx.root, { cache: { statTtl: TTL } }), async (url) => {
    assert.equal((await rawRequest(url, "/s/a.txt")).text(), INSIDE);
    await delay(TTL * 2);
    assert.equal((await rawRequest(url, "/s/a.txt")).text(), INSIDE, "after the TTL, unchanged");
    await delay(TTL * 2);
    await body(url);
  });
}

test("revalidate: the filesystem source confirms an unchanged file in a settled folder, and nothing else", async () => {
  const fx = await settledFixture();
  try {
    const source = await fileSystemSource(fx.root, {});
    const stat = await source.stat("s/a.txt");
    assert.ok(stat !== undefined && source.unchanged !== undefined);
    assert.equal(await source.unchanged("s/a.txt", stat), true, "unchanged");
    assert.equal(await source.unchanged("s/a.txt", { ...stat }), false, "a stat the source did not make");
    fx.write("s/b.txt", "new"); // the folder's entries changed
    assert.equal(await source.unchanged("s/a.txt", stat), false, "a new name next to it");
    const fresh = await source.stat("s/a.txt");
    assert.equal(await source.unchanged("s/a.txt", fresh!), false, "a folder changed just now is not trusted");
  } finally {
    fx.remove();
  }
});

test("revalidate: after the TTL, a file swapped for a symlink out of the root is never served", async () => {
  const fx = await settledFixture();
  try {
    await afterQuickRevalidation(fx, async (url) => {
      symlinkSync("../../outside/s/a.txt", join(fx.root, "s", "a.txt.swap"));
      renameSync(join(fx.root, "s", "a.txt.swap"), join(fx.root, "s", "a.txt"));
      await delay(TTL * 2);
      const response = await rawRequest(url, "/s/a.txt");
      assert.ok(!response.text().includes("SECRET"), "served the file outside the root");
      assert.equal(response.status, 404);
    });
  } finally {
    fx.remove();
  }
});

test("revalidate: after the TTL, a folder on the path swapped for a symlink out of the root", async () => {
  const fx = await settledFixture();
  try {
    await afterQuickRevalidation(fx, async (url) => {
      renameSync(join(fx.root, "s"), join(fx.root, "s.old"));
      symlinkSync("../outside/s2", join(fx.root, "s"));
      await delay(TTL * 2);
      const response = await rawRequest(url, "/s/a.txt");
      assert.ok(!response.text().includes("SECRET"), "served the file outside the root");
      assert.equal(response.status, 404);
    });
  } finally {
    fx.remove();
  }
});

test("revalidate: after the TTL, content written in place is served new", async () => {
  const fx = await settledFixture();
  try {
    await afterQuickRevalidation(fx, async (url) => {
      const changed = INSIDE.toUpperCase(); // the same size, the same inode
      writeFileSync(join(fx.root, "s", "a.txt"), changed);
      await delay(TTL * 2);
      assert.equal((await rawRequest(url, "/s/a.txt")).text(), changed);
    });
  } finally {
    fx.remove();
  }
});

test("revalidate: after the TTL, a precompressed sibling added is served", async () => {
  const fx = await settledFixture();
  try {
    await afterQuickRevalidation(fx, async (url) => {
      writeFileSync(join(fx.root, "s", "a.txt.gz"), gzipSync(INSIDE));
      await delay(TTL * 2);
      const response = await rawRequest(url, "/s/a.txt", { "accept-encoding": "gzip" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-encoding"), "gzip");
    });
  } finally {
    fx.remove();
  }
});

/** A one-file source that counts its stats and answers `unchanged` as told. */
function countingSource(same: boolean): FileSource & { stats: number; asked: number } {
  const bytes = new TextEncoder().encode("hello\n");
  const file: FileStat = { kind: "file", size: bytes.length, mtimeMs: 0 };
  const source = {
    stats: 0,
    asked: 0,
    stat(path: string) {
      source.stats++;
      return Promise.resolve(path === "a.txt" ? file : undefined);
    },
    body: () => bytes,
    read: () => Promise.resolve(bytes),
    unchanged() {
      source.asked++;
      return Promise.resolve(same);
    },
  };
  return source;
}

test("revalidate: an expired entry the source confirms is not resolved again", async () => {
  for (const same of [true, false]) {
    const source = countingSource(same);
    const handler = serveStatic(source, { cache: { statTtl: TTL }, precompressed: false });
    assert.equal((await handler(new Request("http://x/a.txt"))).status, 200);
    const resolving = source.stats;
    await delay(TTL * 2);
    const response = await handler(new Request("http://x/a.txt"));
    assert.equal(await response.text(), "hello\n");
    assert.equal(source.asked, 1, `${same}: the source was asked`);
    assert.equal(source.stats, same ? resolving : 2 * resolving, `${same}: resolved again only when changed`);
  }
});
