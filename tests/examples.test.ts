/**
 * Every example starts, answers the URL written at its top, and stops. Each
 * runs as a subprocess of the runtime running this file (node, deno or bun),
 * with PORT=0 so it binds a free port and prints it; the Workers example runs
 * in a real workerd.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join, resolve } from "node:path";
import { test } from "./_lib/test.ts";
import { startWorkerd } from "./_lib/workerd.ts";
import { withServer } from "./_lib/server.ts";
import { COLUMNS, cutTile, renderPicture, ROWS, TILE, tileName } from "../examples/site/picture/mandelbrot.ts";
import { decodePng } from "../examples/site/picture/png.ts";

const root = resolve(import.meta.dirname ?? ".", "..");

/** The command that runs a script on the runtime running this test. */
function command(script: string, args: string[] = []): [string, string[]] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno) return [deno.execPath(), ["run", "-A", script, ...args]];
  return [process.execPath, [script, ...args]]; // node, and bun (whose execPath is bun)
}

interface Running {
  url: URL;
  output(): string;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => done({ code, signal }));
  });
}

/**
 * Runs `script` with PORT=0, waits for its "Listening on URL" line, hands the
 * URL to `body`, then sends SIGTERM and checks the process exits 0 (graceful
 * shutdown) within 10 s.
 */
async function runExample(
  script: string,
  body: (running: Running) => Promise<void>,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<void> {
  const [bin, args] = command(script, options.args);
  const child = spawn(bin, args, {
    cwd: root,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const gone = exited(child);
  try {
    const url = await new Promise<URL>((found, fail) => {
      const timer = setTimeout(() => fail(new Error(`${script}: no "Listening on" line in 20 s:\n${output}`)), 20_000);
      const look = () => {
        const match = /Listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          child.stdout!.off("data", look);
          found(new URL(match[1]));
        }
      };
      child.stdout!.on("data", look);
      void gone.then(({ code }) => {
        clearTimeout(timer);
        fail(new Error(`${script} exited (${code}) before listening:\n${output}`));
      });
    });
    await body({ url, output: () => output });
  } finally {
    // process.kill, not child.kill: Deno's node:child_process reports a child it
    // signalled as killed by the signal even when the child caught it and exited 0.
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const { code, signal } = await gone;
    clearTimeout(timer);
    assert.equal(code, 0, `${script} did not stop gracefully on SIGTERM (signal ${signal}):\n${output}`);
  }
}

/**
 * The paths a browser or a curious person asks any site for: each must be a
 * real 404 (not the home page), through whatever answers misses there.
 */
async function assertUnknownPathsAre404(origin: URL, where = "", headers: Record<string, string> = {}): Promise<void> {
  for (const path of ["/nope", "/favicon.ico", `${where}/nope`]) {
    const response = await fetch(new URL(path, origin), { headers, redirect: "manual" });
    assert.equal(response.status, 404, `${path} on ${origin.href}`);
    await response.body?.cancel();
  }
}

async function text(
  url: URL | string,
  init?: RequestInit,
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

test("examples: every example names the one command that runs it at its top", () => {
  const scripts = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts"));
  assert.ok(scripts.includes("hello.ts"));
  for (const script of [...scripts.map((f) => join("examples", f)), "examples/workers/worker.ts"]) {
    const head = readFileSync(join(root, script), "utf8").split("\n").slice(0, 20).join("\n");
    assert.match(head, /^\s*(?:\*|\/\/)\s*Run:\s+\S/m, `${script} has no "Run: <command>" line at its top`);
  }
}, { skip: ["workerd"] });

test("examples/hello.ts: answers at /, 404 elsewhere, and stops, run directly and through serve.ts", async () => {
  const check = async ({ url }: Running) => {
    const { status, body } = await text(url);
    assert.equal(status, 200);
    assert.equal(body, "Hello from fetchkit!\n");
    await assertUnknownPathsAre404(url);
  };
  await runExample("examples/hello.ts", check);
  await runExample("serve.ts", check, { args: ["examples/hello.ts"] });
}, { skip: ["workerd"] });

test("examples/hello.ts: importing it binds no port", async () => {
  const { default: hello } = await import("../examples/hello.ts");
  const response = await hello(new Request("http://localhost/"));
  assert.equal(await response.text(), "Hello from fetchkit!\n");
}, { skip: ["workerd"] });

test("npm start (serve.ts with no module) serves the example site", async () => {
  await runExample("serve.ts", async ({ url }) => {
    const index = await text(url);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(index.body, /<h1>fetchkit example site<\/h1>/);
    const tiles = await text(new URL("/tiles", url));
    assert.equal(tiles.body.match(/<img src="\/static\/tiles\/r\dc\d\.png"/g)?.length, 35);
    const tile = await fetch(new URL("/static/tiles/r4c6.png", url));
    assert.equal(tile.status, 200);
    assert.equal(tile.headers.get("content-type"), "image/png");
    const etag = tile.headers.get("etag");
    await tile.body?.cancel();
    assert.ok(etag, "the tile has an ETag");
    const again = await fetch(new URL("/static/tiles/r4c6.png", url), { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    await again.body?.cancel();
    const app = await text(new URL("/app/", url));
    assert.match(app.body, /action="\/app\/entries"/, "the mounted app builds its links from /app");
    const vendor = await fetch(new URL("/vendor/mime/src/index.js", url));
    assert.equal(vendor.status, 200, "the mime package's own files");
    assert.match(vendor.headers.get("content-type") ?? "", /javascript/);
    await vendor.body?.cancel();
    const missing = await fetch(new URL("/no/such/page", url));
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    await assertUnknownPathsAre404(url, "/app");
    await assertUnknownPathsAre404(url, "/static");
  }, { env: { FETCHKIT_ENV: "production", NODE_ENV: "" } });
}, { skip: ["workerd"] });

test("the site module binds no port on import and builds its links from where it is mounted", async () => {
  const { createSite } = await import("../examples/site/app.ts");
  const { mount } = await import("../mod.ts");
  const outer = mount({ "/demo": createSite({ mode: "production", log: false }) });
  const app = await outer(new Request("http://localhost/demo/app/"));
  const body = await app.text();
  assert.match(body, /action="\/demo\/app\/entries"/);
  assert.match(body, /href="\/demo\/static\/style\.css"/, "the frame links to the site's own static files");
  const tiles = await (await outer(new Request("http://localhost/demo/tiles"))).text();
  assert.match(tiles, /src="\/demo\/static\/tiles\/r0c0\.png"/);
}, { skip: ["workerd"] });

test("the site serves its tiles with validators, its static files and the package's own files", async () => {
  const { createSite } = await import("../examples/site/app.ts");
  await withServer(createSite({ mode: "production", log: false }), async (url) => {
    const tile = await fetch(new URL("/static/tiles/r2c3.png", url));
    assert.equal(tile.status, 200);
    assert.equal(tile.headers.get("content-type"), "image/png");
    assert.equal(tile.headers.get("cache-control"), "public, no-cache", "the browser revalidates on every use");
    const bytes = new Uint8Array(await tile.arrayBuffer());
    const decoded = await decodePng(bytes);
    assert.deepEqual([decoded.width, decoded.height], [100, 100]);
    const etag = tile.headers.get("etag")!;
    const lastModified = tile.headers.get("last-modified")!;
    const validators: Record<string, string>[] = [{ "if-none-match": etag }, { "if-modified-since": lastModified }];
    for (const headers of validators) {
      const again = await fetch(new URL("/static/tiles/r2c3.png", url), { headers });
      assert.equal(again.status, 304, JSON.stringify(headers));
      await again.body?.cancel();
    }
    // The tiles page's load: 35 requests at once, as a browser sends them.
    const names = Array.from({ length: ROWS * COLUMNS }, (_, i) => tileName(Math.floor(i / COLUMNS), i % COLUMNS));
    const all = await Promise.all(names.map(async (name) => {
      const response = await fetch(new URL(`/static/tiles/${name}`, url));
      const size = (await response.arrayBuffer()).byteLength;
      return `${response.status} ${response.headers.get("content-type")} ${
        size === Number(response.headers.get("content-length"))
      }`;
    }));
    assert.deepEqual(new Set(all), new Set(["200 image/png true"]));
    const css = await fetch(new URL("/static/style.css", url));
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    await css.body?.cancel();
    const vendor = await fetch(new URL("/vendor/mime/types/standard.js", url));
    assert.equal(vendor.status, 200);
    assert.ok((await vendor.text()).includes("'image/png': ['png']"), "the mime package's own type table");
  });
}, { skip: ["workerd"] });

test(
  "the site's tiles are the picture: 35 PNGs of 100×100 that put back together give the rendered picture",
  async () => {
    const picture = renderPicture();
    assert.equal(ROWS * COLUMNS, 35);
    assert.equal(picture.width, COLUMNS * TILE);
    assert.equal(picture.height, ROWS * TILE);
    const folder = join(root, "examples/site/static/tiles");
    assert.equal(readdirSync(folder).filter((f) => f.endsWith(".png")).length, 35);
    for (let row = 0; row < ROWS; row++) {
      for (let column = 0; column < COLUMNS; column++) {
        const shipped = await decodePng(new Uint8Array(readFileSync(join(folder, tileName(row, column)))));
        const expected = cutTile(picture, row, column);
        assert.equal(shipped.width, TILE);
        assert.equal(shipped.height, TILE);
        assert.deepEqual(shipped.palette, expected.palette, `palette of ${tileName(row, column)}`);
        assert.ok(
          shipped.pixels.every((value, i) => value === expected.pixels[i]),
          `${tileName(row, column)} differs from the picture; run node scripts/make-tiles.ts`,
        );
      }
    }
  },
  { skip: ["workerd"] },
);

/** A GET with a chosen Host header (fetch may refuse to set one), over node:http on every runtime. */
function getWithHost(url: URL, host: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const request = httpRequest(
      { hostname: url.hostname, port: url.port, path: url.pathname, headers: { host }, agent: false },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => done({ status: response.statusCode ?? 0, body }));
        response.on("error", fail);
      },
    );
    request.on("error", fail);
    request.end();
  });
}

test("examples/vhosts.ts: two sites by Host, a plain page for any other", async () => {
  await runExample("examples/vhosts.ts", async ({ url }) => {
    const alpha = await getWithHost(url, `alpha.localhost:${url.port}`);
    assert.equal(alpha.status, 200);
    assert.match(alpha.body, /<h1>Alpha<\/h1>/);
    const about = await getWithHost(new URL("/about", url), "ALPHA.localhost");
    assert.match(about.body, /<h1>About alpha<\/h1>/, "host names are case-insensitive, any port");
    const beta = await getWithHost(url, `beta.localhost:${url.port}`);
    assert.match(beta.body, /<h1>Beta<\/h1>/);
    const tenant = await getWithHost(url, "www.beta.localhost");
    assert.match(tenant.body, /<h1>Beta<\/h1>/, "the wildcard");
    const other = await getWithHost(url, "gamma.localhost");
    assert.equal(other.status, 404);
    assert.match(other.body, /No site is called gamma\.localhost here/);
    for (const host of ["alpha.localhost", "beta.localhost"]) {
      for (const path of ["/nope", "/favicon.ico"]) {
        assert.equal((await getWithHost(new URL(path, url), host)).status, 404, `${path} on ${host}`);
      }
    }
  });
}, { skip: ["workerd"] });

test("examples/proxy.ts: POSTs go to the primary, GETs take turns on the replicas", async () => {
  await runExample("examples/proxy.ts", async ({ url }) => {
    const notes = new URL("/notes", url);
    const written = await fetch(notes, { method: "POST", body: new URLSearchParams({ note: "hello" }) });
    assert.equal(written.status, 201);
    assert.deepEqual(await written.json(), { server: "primary", notes: ["hello"] });
    const readers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const read = await fetch(notes);
      const body = await read.json() as { server: string; notes: string[] };
      assert.deepEqual(body.notes, ["hello"], "the write reached every replica");
      readers.push(body.server);
    }
    assert.deepEqual(readers.toSorted(), ["replica-1", "replica-1", "replica-2", "replica-2"]);
    assert.notEqual(readers[0], readers[1], "round robin");
    await assertUnknownPathsAre404(url);
  });
}, { skip: ["workerd"] });

test("examples/express-inside.ts: Express under /legacy, its 404s fall through to fetchkit's", async () => {
  await runExample("examples/express-inside.ts", async ({ url }) => {
    const users = await fetch(new URL("/legacy/users", url));
    assert.deepEqual(await users.json(), {
      url: "/users",
      baseUrl: "/legacy",
      originalUrl: "/legacy/users",
      users: ["ada", "grace"],
    });
    assert.match(
      (await text(new URL("/legacy/kit/hi", url))).body,
      /^fetchkit under \/legacy\/kit: http:\/\/\S+\/hi\n$/,
    );
    assert.equal((await text(url)).status, 200);
    await assertUnknownPathsAre404(url, "/legacy");
    const express404 = await text(new URL("/legacy/nope", url));
    assert.doesNotMatch(express404.body, /Cannot GET/, "Express's own 404 page was passed on, not sent");
  });
}, { skip: ["workerd"] });

test("examples/hono-inside.ts and inside-hono.ts: Hono both ways, unknown paths 404", async () => {
  await runExample("examples/hono-inside.ts", async ({ url }) => {
    const user = await fetch(new URL("/api/users/7", url));
    assert.deepEqual(await user.json(), { id: "7", path: "/users/7", self: "/api/users/7" });
    assert.equal((await text(url)).status, 200);
    await assertUnknownPathsAre404(url, "/api");
  });
  await runExample("examples/inside-hono.ts", async ({ url }) => {
    assert.equal((await text(new URL("/static/hello.txt", url))).status, 200);
    assert.equal((await text(new URL("/kit/hello", url))).body, "hello from /kit/hello\n");
    assert.equal((await text(url)).status, 200);
    await assertUnknownPathsAre404(url, "/kit");
    await assertUnknownPathsAre404(url, "/static");
  });
}, { skip: ["workerd"] });

test("examples/workers: the Worker entry answers in a real workerd, with its env binding", async () => {
  const toml = readFileSync(join(root, "examples/workers/wrangler.toml"), "utf8");
  const greeting = /^GREETING = "([^"]*)"$/m.exec(toml)?.[1];
  assert.ok(greeting, "wrangler.toml declares GREETING");
  assert.match(toml, /^main = "worker\.ts"$/m);
  const workerd = await startWorkerd("examples/workers/worker.ts", { text: { GREETING: greeting } });
  try {
    const home = await text(workerd.url);
    assert.equal(home.status, 200);
    assert.match(home.body, /<a href="\/app\/">The guestbook<\/a>/);
    const hello = await fetch(new URL("/api/hello", workerd.url));
    assert.deepEqual(await hello.json(), { greeting, path: "/" });
    const signed = await fetch(new URL("/app/entries", workerd.url), {
      method: "POST",
      body: new URLSearchParams({ name: "Worker", message: "signed on workerd" }),
      redirect: "manual",
    });
    assert.equal(signed.status, 303);
    assert.equal(signed.headers.get("location"), "/app/entries/0");
    const entry = await text(new URL("/app/entries/0", workerd.url));
    assert.match(entry.body, /<blockquote id="message">signed on workerd<\/blockquote>/);
    await assertUnknownPathsAre404(workerd.url, "/app");
    await assertUnknownPathsAre404(workerd.url, "/api/hello");
  } finally {
    await workerd.close();
  }
}, { only: ["node"] });
