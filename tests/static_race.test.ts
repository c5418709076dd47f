/**
 * Swap races against serveStatic over a real folder and real sockets: a file
 * (or a folder on its path) is checked, then replaced by a symlink out of the
 * root while its stat result is still cached. The bytes outside must never be
 * served, immediately after the swap or later within the cache's lifetime;
 * the answer is a 404, never a 5xx. A file replaced by another file inside
 * the root is served fresh, not refused.
 */
import assert from "node:assert/strict";
import { mkdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { rawRequest, type RawResponse } from "./_lib/static_http.ts";
import { type Fixture, makeFixture, pattern } from "./_lib/static_fixture.ts";
import { serveStatic, type ServeStaticOptions } from "../src/static/mod.ts";
import { FileAccessError } from "../src/static/source.ts";
import { fileSystemSource } from "../src/static/sources/fs.ts";
import { descriptorLocator } from "../src/static/sources/descriptor.ts";

/** Larger than the body cache's default per-file limit (256 KiB), so bodies are opened per request. */
const SIZE = 300 * 1024;
const INSIDE = pattern(SIZE);
/** The same size as the inside file, so a leak is a clean 200 with the expected length. */
const SECRET = new TextEncoder().encode("TOP SECRET ".repeat(Math.ceil(SIZE / 11)).slice(0, SIZE));
const MARK = "TOP SECRET";

/** A fixture with `swap.bin` and `dir/swap.bin` inside the root and same-sized secrets outside. */
function raceFixture(): Fixture {
  const fx = makeFixture();
  fx.write("swap.bin", INSIDE);
  fx.write("dir/swap.bin", INSIDE);
  fx.write("small.txt", "small inside\n");
  writeFileSync(join(fx.outside, "secret"), SECRET);
  mkdirSync(join(fx.outside, "dir"));
  writeFileSync(join(fx.outside, "dir", "swap.bin"), SECRET);
  writeFileSync(join(fx.outside, "small.txt"), `${MARK} small\n`);
  return fx;
}

/** Replaces `path` (relative to the root) by a symlink to `target`, atomically (rename over it). */
function swapForSymlink(fx: Fixture, path: string, target: string): void {
  const full = join(fx.root, path);
  symlinkSync(target, `${full}.swap`);
  renameSync(`${full}.swap`, full);
}

function assertNotLeaked(response: RawResponse, what: string): void {
  assert.ok(response.status < 500, `${what}: ${response.status}`);
  assert.ok(!response.text().includes(MARK), `${what}: served the file outside the root (${response.status})`);
}

function assertInside(response: RawResponse, what: string): void {
  assert.equal(response.status, 200, what);
  assert.deepEqual(response.body, INSIDE, what);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each case runs with the default 1 s stat cache and with one that cannot expire during the test. */
const CACHES: [string, ServeStaticOptions][] = [
  ["default cache", {}],
  ["long stat cache", { cache: { statTtl: 600_000 } }],
];

for (const [label, options] of CACHES) {
  test(`race (${label}): a file swapped for a symlink out of the root is never served`, async () => {
    const fx = raceFixture();
    try {
      await withServer(serveStatic(fx.root, options), async (url) => {
        assertInside(await rawRequest(url, "/swap.bin"), "before the swap");
        swapForSymlink(fx, "swap.bin", "../outside/secret");
        const now = await rawRequest(url, "/swap.bin");
        assertNotLeaked(now, "right after the swap");
        assert.equal(now.status, 404);
        assertNotLeaked(await rawRequest(url, "/swap.bin", { range: "bytes=0-99" }), "a range after the swap");
        await delay(200);
        const later = await rawRequest(url, "/swap.bin");
        assertNotLeaked(later, "later, within the stat cache's lifetime");
        assert.equal(later.status, 404);
      });
    } finally {
      fx.remove();
    }
  });

  test(`race (${label}): a folder on the path renamed and replaced by a symlink out of the root`, async () => {
    const fx = raceFixture();
    try {
      await withServer(serveStatic(fx.root, options), async (url) => {
        assertInside(await rawRequest(url, "/dir/swap.bin"), "before the swap");
        renameSync(join(fx.root, "dir"), join(fx.root, "dir.old"));
        symlinkSync("../outside/dir", join(fx.root, "dir"));
        assertNotLeaked(await rawRequest(url, "/dir/swap.bin"), "right after the swap");
        await delay(200);
        const later = await rawRequest(url, "/dir/swap.bin");
        assertNotLeaked(later, "later, within the stat cache's lifetime");
        assert.equal(later.status, 404);
      });
    } finally {
      fx.remove();
    }
  });

  test(`race (${label}): a file replaced by another file inside the root is served fresh`, async () => {
    const fx = raceFixture();
    try {
      await withServer(serveStatic(fx.root, options), async (url) => {
        assertInside(await rawRequest(url, "/swap.bin"), "before the replacement");
        const fresh = pattern(SIZE + 1000).reverse();
        writeFileSync(join(fx.root, "swap.bin.new"), fresh);
        renameSync(join(fx.root, "swap.bin.new"), join(fx.root, "swap.bin"));
        const response = await rawRequest(url, "/swap.bin");
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-length"), String(fresh.length));
        assert.deepEqual(response.body, fresh);
      });
    } finally {
      fx.remove();
    }
  });

  test(`race (${label}): a small file kept in memory is never replaced by the outside file`, async () => {
    const fx = raceFixture();
    try {
      await withServer(serveStatic(fx.root, options), async (url) => {
        const before = await rawRequest(url, "/small.txt");
        assert.equal(before.text(), "small inside\n");
        swapForSymlink(fx, "small.txt", "../outside/small.txt");
        assertNotLeaked(await rawRequest(url, "/small.txt"), "right after the swap");
        await delay(200);
        assertNotLeaked(await rawRequest(url, "/small.txt"), "later");
      });
    } finally {
      fx.remove();
    }
  });
}

test("race: a symlink swapped back to a file is served again once the cache revalidates", async () => {
  const fx = raceFixture();
  try {
    await withServer(serveStatic(fx.root, { cache: { statTtl: 50 } }), async (url) => {
      swapForSymlink(fx, "swap.bin", "../outside/secret");
      const refused = await rawRequest(url, "/swap.bin");
      assertNotLeaked(refused, "the symlink out");
      assert.equal(refused.status, 404);
      rmSync(join(fx.root, "swap.bin"));
      fx.write("swap.bin", INSIDE);
      await delay(100);
      assertInside(await rawRequest(url, "/swap.bin"), "the file back");
    });
  } finally {
    fx.remove();
  }
});

// The window between a source's stat and its open, without HTTP in between: every way
// a source reads a checked file (whole body, a range, the in-memory read) must refuse
// a file that is no longer the one it checked.
test("race: the filesystem source refuses a file swapped between stat and open", async () => {
  const fx = raceFixture();
  try {
    const source = await fileSystemSource(fx.root, {});
    for (const path of ["swap.bin", "small.txt"]) {
      const stat = await source.stat(path);
      assert.equal(stat?.kind, "file");
      swapForSymlink(fx, path, `../outside/${path === "swap.bin" ? "secret" : path}`);
      await assert.rejects(
        async () => await new Response(await source.body(path, 0, stat!.size, stat!)).arrayBuffer(),
        (error) => error instanceof FileAccessError && error.status === 404,
        `${path}: the whole body`,
      );
      await assert.rejects(
        async () => await new Response(await source.body(path, 1, 5, stat!)).arrayBuffer(),
        (error) => error instanceof FileAccessError && error.status === 404,
        `${path}: a range`,
      );
      await assert.rejects(
        () => source.read(path, stat!),
        (error) => error instanceof FileAccessError && error.status === 404,
        `${path}: read`,
      );
      assert.equal(await source.stat(path), undefined, `${path}: a fresh stat sees the symlink out`);
    }
  } finally {
    fx.remove();
  }
});

// The window inside a stat, between realpath and the stat of the real path: a folder on
// the real path swapped for a symlink makes that stat describe a file outside. The
// descriptor check of the real path sees where the opened file really is.
test("race: a real path that now leads out of the root is located outside", async () => {
  const fx = raceFixture();
  try {
    const locate = await descriptorLocator();
    const rootReal = realpathSync(fx.root);
    const inside = await locate(rootReal, join(rootReal, "dir", "swap.bin"));
    if (inside === "unproven") {
      console.log("skipped: no readable /proc/self/fd on this system");
      return;
    }
    assert.equal(inside?.size, SIZE);
    renameSync(join(fx.root, "dir"), join(fx.root, "dir.old"));
    symlinkSync("../outside/dir", join(fx.root, "dir"));
    assert.equal(await locate(rootReal, join(rootReal, "dir", "swap.bin")), undefined, "a folder swapped");
    swapForSymlink(fx, "swap.bin", "../outside/secret");
    assert.equal(await locate(rootReal, join(rootReal, "swap.bin")), undefined, "the file itself swapped");
  } finally {
    fx.remove();
  }
});
