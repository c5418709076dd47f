// @workerd
/**
 * serveStatic as a development server uses it: clean URLs (`/about` serves
 * about.html, `/about.html` redirects to `/about`), the single-page-app
 * fallback, and the types of source files. Over an in-memory source, so it
 * runs on workerd too.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { isPass, mount, serveStatic } from "../mod.ts";
import { memorySource, type StaticManifest } from "../src/static/shared_exports.ts";
import { contentTypeFor } from "../src/static/content_type.ts";

function manifestOf(files: Record<string, string>): StaticManifest {
  const manifest: StaticManifest = { files: {} };
  for (const [path, text] of Object.entries(files)) {
    const bytes = new TextEncoder().encode(text);
    manifest.files[path] = {
      size: bytes.length,
      mtimeMs: 0,
      etag: `e-${path}`,
      base64: btoa(String.fromCharCode(...bytes)),
    };
  }
  return manifest;
}

const site = memorySource(manifestOf({
  "index.html": "<h1>home</h1>",
  "about.html": "<h1>about</h1>",
  "docs/index.html": "<h1>docs</h1>",
  "docs/intro.html": "<h1>intro</h1>",
  "both.html": "<h1>both.html</h1>",
  "both/index.html": "<h1>both/</h1>",
  "app.js": "console.log(1)",
  "notes.txt": "notes",
}));

const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

async function get(handler: (request: Request) => Response | Promise<Response>, path: string, init: RequestInit = {}) {
  const response = await handler(new Request(`http://localhost${path}`, init));
  return {
    status: response.status,
    location: response.headers.get("location"),
    type: response.headers.get("content-type"),
    body: await response.text(),
    pass: isPass(response),
  };
}

test("static: cleanUrls serves /about from about.html and redirects /about.html to /about", async () => {
  const files = serveStatic(site, { cleanUrls: true });
  assert.equal((await get(files, "/about")).body, "<h1>about</h1>");
  assert.deepEqual(await get(files, "/about.html?x=1"), {
    status: 301,
    location: "/about?x=1",
    type: null,
    body: "",
    pass: false,
  });
  assert.equal((await get(files, "/docs/intro")).body, "<h1>intro</h1>");
  const index = await get(files, "/docs/index.html");
  assert.equal(index.status, 301);
  assert.equal(index.location, "/docs/", "an index file redirects to its directory's slash form");
  assert.equal((await get(files, "/index.html")).location, "/");
  const directory = await get(files, "/docs");
  assert.equal(directory.status, 301, "a directory still redirects to its slash form");
  assert.equal(directory.location, "/docs/");
  assert.equal((await get(files, "/both")).location, "/both/", "a folder of that name wins over both.html");
  assert.equal((await get(files, "/both.html")).body, "<h1>both.html</h1>", "…so both.html is served, not redirected");
  assert.equal((await get(files, "/notes.txt")).body, "notes", "other files are as they were");
  assert.equal((await get(files, "/nope")).status, 404);
  assert.equal((await get(files, "/about.html.html")).status, 404);
});

test("static: mounted, serveStatic still redirects its directory to the slash form (the mount no longer does)", async () => {
  const app = mount({ "/site": serveStatic(site), "/health": () => new Response("ok") });
  assert.equal((await get(app, "/health")).body, "ok", "a plain mount answers its own prefix");
  const bare = await get(app, "/site?q=1");
  assert.deepEqual([bare.status, bare.location], [301, "/site/?q=1"], "relative links in index.html keep working");
  assert.equal((await get(app, "/site/")).body, "<h1>home</h1>");
  assert.equal((await get(app, "/site/docs")).location, "/site/docs/");
});

test("static: cleanUrls redirects under a mount keep the mount prefix; without cleanUrls nothing changes", async () => {
  const app = mount({ "/site": serveStatic(site, { cleanUrls: true }) });
  assert.equal((await get(app, "/site/about.html")).location, "/site/about");
  assert.equal((await get(app, "/site/about")).body, "<h1>about</h1>");
  const plain = serveStatic(site);
  assert.equal((await get(plain, "/about")).status, 404);
  assert.equal((await get(plain, "/about.html")).body, "<h1>about</h1>");
});

test("static: spa answers a navigation that finds no file with the root index; assets and fetches still miss", async () => {
  const files = serveStatic(site, { spa: true });
  const route = await get(files, "/users/7", { headers: html });
  assert.equal(route.status, 200);
  assert.equal(route.body, "<h1>home</h1>");
  assert.match(route.type ?? "", /^text\/html/);
  const head = await files(new Request("http://localhost/users/7", { method: "HEAD", headers: html }));
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  assert.equal((await get(files, "/logo.png", { headers: html })).status, 404, "an asset-looking path misses");
  assert.equal((await get(files, "/users/7", { headers: { accept: "application/json" } })).status, 404);
  assert.equal((await get(files, "/users/7")).status, 404, "no Accept: not a navigation");
  assert.equal((await get(files, "/users/7", { method: "POST", headers: html })).status, 405);
  assert.equal((await get(files, "/docs/", { headers: html })).body, "<h1>docs</h1>", "real files win");
  assert.equal((await get(files, "/app.js", { headers: html })).body, "console.log(1)");
  const passing = serveStatic(site, { spa: true, fallthrough: true });
  assert.equal((await get(passing, "/users/7", { headers: html })).body, "<h1>home</h1>");
  assert.ok((await get(passing, "/logo.png", { headers: html })).pass, "in middleware mode an asset miss passes");
  const withClean = serveStatic(site, { spa: true, cleanUrls: true });
  assert.equal((await get(withClean, "/users/7", { headers: html })).body, "<h1>home</h1>", "not a redirect");
  const noIndex = serveStatic(memorySource(manifestOf({ "a.txt": "a" })), { spa: true });
  assert.equal((await get(noIndex, "/users/7", { headers: html })).status, 404, "no index file: the miss stays");
});

test("static: spa and cleanUrls are checked at construction", () => {
  assert.throws(() => serveStatic(site, { spa: "yes" as never }), {
    name: "TypeError",
    message: "serveStatic: options.spa must be true or false",
  });
  assert.throws(() => serveStatic(site, { cleanUrls: 1 as never }), {
    name: "TypeError",
    message: "serveStatic: options.cleanUrls must be true or false",
  });
  assert.throws(() => serveStatic(site, { spa: true, index: false }), {
    name: "TypeError",
    message: "serveStatic: options.spa needs an index file",
  });
});

test("static: source files a developer serves get text types (.ts is not video/mp2t)", () => {
  const expected: Record<string, string> = {
    "app.ts": "text/typescript; charset=utf-8",
    "mod.mts": "text/typescript; charset=utf-8",
    "mod.cts": "text/typescript; charset=utf-8",
    "types.d.ts": "text/typescript; charset=utf-8",
    "App.tsx": "text/tsx; charset=utf-8",
    "App.jsx": "text/jsx; charset=utf-8",
    "app.mjs": "text/javascript; charset=utf-8",
    "app.cjs": "text/javascript; charset=utf-8",
    "app.js.map": "application/json; charset=utf-8",
    "mod.wasm": "application/wasm",
    "README.md": "text/markdown; charset=utf-8",
    "main.rs": "text/x-rust; charset=utf-8",
    "APP.TS": "text/typescript; charset=utf-8",
    "a.constructor": "application/octet-stream",
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(contentTypeFor(name), type, name);
});
