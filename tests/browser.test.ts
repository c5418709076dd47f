/**
 * The example site in a real browser: Debian's Chromium driven by
 * playwright-core, against the site served by `serve()` on 127.0.0.1.
 * Screenshots go to .test-out/screenshots/ (git-ignored); look at them.
 *
 * Runs on Node only (playwright-core's home), and is skipped with a message
 * when /usr/bin/chromium is missing: `apt-get install chromium`
 * (or `bash scripts/system-deps.sh` as root).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from "./_lib/chromium.ts";
import { withServer } from "./_lib/server.ts";
import type { Handler } from "../src/handler.ts";
import { createSite, type SiteOptions } from "../examples/site/app.ts";

const root = resolve(import.meta.dirname ?? ".", "..");
const screenshots = join(root, ".test-out", "screenshots");
const skip = haveChromium ? [] : (["node"] as const);
if (!haveChromium && runtime === "node") {
  console.log(`# browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

/** One request as the server saw it. */
interface Seen {
  path: string;
  status: number;
  conditional: boolean;
  contentType: string | null;
}

/** Wraps the site so the test knows what really crossed the wire, 304s included. */
function recording(site: Handler): { handler: Handler; seen: Seen[] } {
  const seen: Seen[] = [];
  const handler: Handler = async (request) => {
    const path = new URL(request.url).pathname;
    const conditional = request.headers.has("if-none-match") || request.headers.has("if-modified-since");
    const response = await site(request);
    seen.push({ path, status: response.status, conditional, contentType: response.headers.get("content-type") });
    return response;
  };
  return { handler, seen };
}

type Page = import("playwright-core").Page;

type Browser = import("playwright-core").Browser;

/**
 * One Chromium for the whole file (launching is the slow part), started by
 * playwright with a fresh temporary profile (`--user-data-dir`, removed when
 * the browser closes). Each test gets its own browser context — its own
 * cache, cookies and sockets, closed before its server shuts down — and its
 * own server. The last test closes the browser.
 */
let launched: Promise<Browser> | undefined;

function launch(): Promise<Browser> {
  launched ??= import("playwright-core").then(({ chromium }) =>
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  );
  return launched;
}

async function withBrowser<T>(body: (page: Page) => Promise<T>): Promise<T> {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    return await body(await context.newPage());
  } finally {
    await context.close();
  }
}

async function withSite<T>(
  options: SiteOptions,
  body: (url: URL, page: Page, seen: Seen[]) => Promise<T>,
): Promise<T> {
  const { handler, seen } = recording(createSite({ log: false, ...options }));
  return await withServer(handler, (url) => withBrowser((page) => body(url, page, seen)));
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

const TILE = /^\/static\/tiles\/r\dc\d\.png$/;

test("browser: the tiles page loads 35 PNG tiles, and a reload revalidates every one", async () => {
  await withSite({ mode: "production" }, async (url, page, seen) => {
    const response = await page.goto(new URL("/tiles", url).href, { waitUntil: "load" });
    assert.equal(response?.status(), 200);
    const first = seen.filter((s) => TILE.test(s.path));
    assert.equal(new Set(first.map((s) => s.path)).size, 35, "35 distinct tiles requested");
    for (const tile of first) {
      assert.equal(tile.status, 200, `${tile.path} status`);
      assert.equal(tile.contentType, "image/png", `${tile.path} content-type`);
    }
    // Every <img> decoded into a 100×100 picture: the bytes were real PNGs.
    const sizes = await page.$$eval("#tiles img", (images) =>
      images.map((img) => {
        const image = img as HTMLImageElement;
        return `${image.complete}:${image.naturalWidth}x${image.naturalHeight}`;
      }));
    assert.equal(sizes.length, 35);
    assert.deepEqual(new Set(sizes), new Set(["true:100x100"]));
    await screenshot(page, "tiles");

    seen.length = 0;
    await page.reload({ waitUntil: "load" });
    const again = seen.filter((s) => TILE.test(s.path));
    // The browser may serve a tile from its cache without asking (fresh by the
    // validators' heuristics); whatever it does ask for must be a conditional
    // request answered 304 with no body.
    for (const tile of again) {
      assert.ok(tile.conditional, `${tile.path} was re-requested without a validator`);
      assert.equal(tile.status, 304, `${tile.path} was not answered 304`);
    }
    assert.equal(again.length, 35, "every tile revalidated on reload");
    const complete = await page.$$eval(
      "#tiles img",
      (images) => images.filter((img) => (img as HTMLImageElement).naturalWidth === 100).length,
    );
    assert.equal(complete, 35, "all tiles shown after the reload");
    await Promise.all([page.waitForURL(/\/tiles\?apart$/), page.click("text=Show the tiles apart")]);
    const gaps = await page.$eval("#tiles", (grid) => getComputedStyle(grid).columnGap);
    assert.equal(gaps, "4px", "the apart view shows the seams between the 35 tiles");
    await screenshot(page, "tiles-apart");
  });
}, { only: ["node"], skip: [...skip], timeout: 60_000 });

test("browser: the index page runs the mime package served from its own folder", async () => {
  await withSite({ mode: "development" }, async (url, page, seen) => {
    await page.goto(url.href, { waitUntil: "load" });
    await page.waitForFunction(() => document.querySelector("output#mime-type")?.textContent === "image/webp");
    await page.fill("#mime-name", "notes.md");
    await page.waitForFunction(() => document.querySelector("output#mime-type")?.textContent === "text/markdown");
    const module = seen.find((s) => s.path === "/vendor/mime/src/index.js");
    assert.equal(module?.status, 200);
    assert.match(module?.contentType ?? "", /^(text|application)\/javascript/);
    assert.equal(await page.textContent("#mode"), "development");
    await screenshot(page, "index");
  });
}, { only: ["node"], skip: [...skip], timeout: 60_000 });

test("browser: the mounted guestbook builds its links from /app", async () => {
  await withSite({ mode: "production" }, async (url, page) => {
    await page.goto(new URL("/app/", url).href);
    await page.fill("input[name=name]", "Ada");
    await page.fill("input[name=message]", "Tiles <b>and</b> mounts");
    await Promise.all([page.waitForURL(/\/app\/entries\/0$/), page.click("button")]);
    assert.equal(await page.textContent("#message"), "Tiles <b>and</b> mounts", "escaped, shown as text");
    await page.click("text=Back to the guestbook");
    await page.waitForURL(/\/app\/$/);
    assert.equal(await page.getAttribute("ul.entries a", "href"), "/app/entries/0");
    await screenshot(page, "guestbook");
  });
}, { only: ["node"], skip: [...skip], timeout: 60_000 });

test("browser: /__profile__ renders its table and latency chart in development", async () => {
  await withSite({ mode: "development" }, async (url, page) => {
    for (const path of ["/", "/tiles", "/app/", "/static/hello.txt"]) await page.goto(new URL(path, url).href);
    const response = await page.goto(new URL("/__profile__", url).href, { waitUntil: "load" });
    assert.equal(response?.status(), 200);
    await page.waitForSelector("#profile-table");
    const rows = await page.$$eval("#profile-table tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    assert.ok(rows.length >= 3, `profile table has ${rows.length} rows`);
    assert.ok(rows.some((row) => row.includes("/static")), "the static mount has a row");
    const bars = await page.$$eval("svg#latency-histogram rect", (rects) => rects.length);
    assert.ok(bars > 0, "the latency histogram draws bars");
    const box = await page.locator("svg#latency-histogram").boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, "the histogram is visible");
    await screenshot(page, "profile");
  });
}, { only: ["node"], skip: [...skip], timeout: 60_000 });

test("browser: the profile page is not there in production", async () => {
  await withSite({ mode: "production" }, async (url, page) => {
    const response = await page.goto(new URL("/__profile__", url).href);
    assert.equal(response?.status(), 404);
  });
}, { only: ["node"], skip: [...skip], timeout: 60_000 });

test("browser: a missing page is a plain 404 in production and a debug page in development", async () => {
  await withSite({ mode: "production" }, async (url, page) => {
    const response = await page.goto(new URL("/no/such/page", url).href);
    assert.equal(response?.status(), 404);
    const text = await page.textContent("body") ?? "";
    assert.match(text, /Not Found/);
    assert.doesNotMatch(text, /mount table|development|serveStatic|app\.ts/, "production tells nothing of the code");
    await screenshot(page, "404-production");
  });
  await withSite({ mode: "development" }, async (url, page) => {
    const response = await page.goto(new URL("/no/such/page?x=1", url).href);
    assert.equal(response?.status(), 404);
    assert.equal(await page.textContent("#not-found-request"), "GET /no/such/page");
    const prefixes = await page.$$eval("#not-found-routes td:first-child", (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(prefixes, ["/vendor/mime", "/static", "/app", "/"]);
    await screenshot(page, "404-development");
  });
}, { only: ["node"], skip: [...skip], timeout: 60_000 });

test(
  "browser: a failing page is a plain 500 in production and a debug page with the source in development",
  async () => {
    const logged: string[] = [];
    await withSite({ mode: "production", errorLog: (line) => logged.push(line) }, async (url, page) => {
      const response = await page.goto(new URL("/boom", url).href);
      assert.equal(response?.status(), 500);
      const text = await page.textContent("body") ?? "";
      assert.doesNotMatch(text, /boom: this page fails|pages\.ts/, "production does not leak the error");
      const id = await page.textContent("#request-id");
      assert.match(id ?? "", /^\w{6,}$/);
      assert.equal(logged.length, 1);
      assert.ok(logged[0].includes(`[${id}]`), "the error log carries the id the page shows");
      assert.match(logged[0], /boom: this page fails on purpose[\s\S]*pages\.ts/, "and the full stack");
      await screenshot(page, "500-production");
    });
    await withSite({ mode: "development", errorLog: () => {} }, async (url, page) => {
      const response = await page.goto(new URL("/boom", url).href);
      assert.equal(response?.status(), 500);
      assert.equal(
        await page.textContent("#error-title"),
        "Error: boom: this page fails on purpose to show the error page",
      );
      const own = await page.$$eval("#stack .frame.own", (frames) => frames.map((f) => f.textContent ?? ""));
      assert.ok(own.some((frame) => frame.includes("pages.ts")), "the stack names the site's own file");
      const current = await page.$$eval("#stack .current", (lines) => lines.map((l) => l.textContent ?? ""));
      assert.ok(current.some((line) => line.includes("throw new Error")), "the source excerpt marks the throwing line");
      await screenshot(page, "500-development");
    });
  },
  { only: ["node"], skip: [...skip], timeout: 60_000 },
);

test("browser: close", async () => {
  if (launched !== undefined) await (await launched).close();
}, { only: ["node"], skip: [...skip] });
