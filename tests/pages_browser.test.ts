/**
 * Every page fetchkit draws, as a person sees it: Debian's Chromium driven by
 * playwright-core on each runtime (Deno, Bun and Node serve the pages and
 * drive the browser), at a phone's width (375 px) in the light and the dark
 * colour scheme. Each page must fit the width, show its text, pass axe-core
 * with no serious or critical violation in both schemes, and its link or
 * button must work. Screenshots go to .test-out/screenshots/<runtime>-<page>.png.
 *
 * Skipped with a message only where /usr/bin/chromium is missing
 * (`bash scripts/system-deps.sh` installs it). Every test launches its own
 * browser and server and closes both, whatever happens.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from "./_lib/chromium.ts";
import { withServer } from "./_lib/server.ts";
import { makeFixture } from "./_lib/static_fixture.ts";
import type { Handler } from "../src/handler.ts";
import { serveStatic } from "../src/static/files.ts";
import { createSite } from "../examples/site/app.ts";

type Browser = import("playwright-core").Browser;
type Page = import("playwright-core").Page;

const PHONE = { width: 375, height: 740 };
const root = resolve(import.meta.dirname ?? ".", "..");
const screenshots = join(root, ".test-out", "screenshots");
const AXE = join(root, "node_modules", "axe-core", "axe.min.js");
const skip = haveChromium ? [] : (["node", "deno", "bun"] as const);
const RUNTIMES: ("node" | "deno" | "bun")[] = ["node", "deno", "bun"];
if (!haveChromium && runtime !== "workerd") {
  console.log(`# page browser tests skipped: ${CHROMIUM} is missing (bash scripts/system-deps.sh)`);
}

async function withBrowser<T>(body: (browser: Browser) => Promise<T>): Promise<T> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    return await body(browser);
  } finally {
    await browser.close();
  }
}

/** A page at a phone's size in one colour scheme, closed after `body`. */
async function withPhone<T>(browser: Browser, scheme: "light" | "dark", body: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: PHONE, colorScheme: scheme });
  try {
    return await body(await context.newPage());
  } finally {
    await context.close();
  }
}

/** What a person must see on every page, checked in one colour scheme. */
async function looksRight(page: Page, name: string, scheme: "light" | "dark"): Promise<void> {
  const width = await page.evaluate(() => ({
    scroll: document.scrollingElement!.scrollWidth,
    inner: globalThis.innerWidth,
  }));
  assert.ok(width.scroll <= width.inner, `${name} (${scheme}): no horizontal overflow at 375 px: ${width.scroll} px`);
  const heading = page.locator("main h1").first();
  assert.ok(await heading.isVisible(), `${name}: a visible heading in <main>`);
  assert.ok(((await heading.textContent()) ?? "").trim().length > 2, `${name}: the heading says something`);
  const text = await page.locator("main").innerText();
  assert.ok(text.trim().length > 20, `${name}: <main> has text to read`);
  const colours = await page.evaluate(() => {
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/[\d.]+/g) ?? ["0", "0", "0"]).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const body = getComputedStyle(document.body);
    const h1 = getComputedStyle(document.querySelector("main h1")!);
    return { paper: luminance(body.backgroundColor), ink: luminance(h1.color) };
  });
  const contrast = (Math.max(colours.paper, colours.ink) + 0.05) / (Math.min(colours.paper, colours.ink) + 0.05);
  assert.ok(contrast >= 4.5, `${name} (${scheme}): heading contrast ${contrast.toFixed(1)}:1`);
  if (scheme === "dark") assert.ok(colours.paper < 0.05, `${name}: a dark background in dark mode`);
  else assert.ok(colours.paper > 0.8, `${name}: a light background in light mode`);
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as {
      axe: {
        run(context: Document): Promise<
          { violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }
        >;
      };
    }).axe;
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(", ")}`);
  });
  assert.deepEqual(violations, [], `${name} (${scheme}): axe finds no serious or critical violation`);
  mkdirSync(screenshots, { recursive: true });
  const file = `${runtime}-${name}${scheme === "dark" ? "-dark" : ""}.png`;
  await page.screenshot({ path: join(screenshots, file), fullPage: true });
}

/** One page of a case: where it is, what it answers, and what its link or button does. */
interface PageCase {
  name: string;
  path: string;
  status: number;
  /** Visits to make before the page (the profile page needs traffic). */
  before?: string[];
  /** Clicks the page's link or button and checks the effect (in the light scheme, after the look was checked). */
  act(page: Page, url: URL): Promise<void>;
}

/** Opens `pageCase` on `handler`'s server in both schemes, checks its look, then its link or button. */
async function checkPage(handler: Handler, pageCase: PageCase): Promise<void> {
  await withServer(handler, (url) =>
    withBrowser(async (browser) => {
      for (const scheme of ["light", "dark"] as const) {
        await withPhone(browser, scheme, async (page) => {
          for (const path of pageCase.before ?? []) await page.goto(new URL(path, url).href);
          const response = await page.goto(new URL(pageCase.path, url).href, { waitUntil: "load" });
          assert.equal(response?.status(), pageCase.status, `${pageCase.name}: status`);
          await looksRight(page, pageCase.name, scheme);
          if (scheme === "light") await pageCase.act(page, url);
        });
      }
    }));
}

const siteOf = (mode: "development" | "production") => createSite({ mode, log: false, errorLog: () => {} });

async function clickTo(page: Page, selector: string, path: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(path), page.click(selector)]);
}

const SITE_PAGES: (PageCase & { mode: "development" | "production" })[] = [
  {
    name: "site-index",
    mode: "development",
    path: "/",
    status: 200,
    act: async (page) => {
      await page.waitForFunction(() => document.querySelector("output#mime-type")?.textContent === "image/webp");
      await clickTo(page, "text=The picture in 35 tiles", /\/tiles$/);
    },
  },
  {
    name: "site-tiles",
    mode: "production",
    path: "/tiles",
    status: 200,
    act: async (page) => {
      await clickTo(page, "text=Show the tiles apart", /\/tiles\?apart$/);
      const shown = await page.$$eval(
        "#tiles img",
        (images) =>
          images.filter((img) => (img as HTMLImageElement).naturalWidth === 100 && img.clientWidth > 20).length,
      );
      assert.equal(shown, 35, "35 tiles shown, scaled to the phone");
    },
  },
  {
    name: "site-guestbook",
    mode: "production",
    path: "/app/",
    status: 200,
    act: async (page) => {
      await page.fill("input[name=name]", "Ada");
      await page.fill("input[name=message]", "On a phone");
      await clickTo(page, "main button", /\/app\/entries\/0$/);
      assert.equal(await page.textContent("#message"), "On a phone");
    },
  },
  {
    name: "404-production",
    mode: "production",
    path: "/no/such/page",
    status: 404,
    act: (page) => clickTo(page, "text=Go to the home page", /\/$/),
  },
  {
    name: "404-development",
    mode: "development",
    path: "/no/such/page",
    status: 404,
    act: async (page) => {
      assert.equal(await page.textContent("#not-found-request"), "GET /no/such/page");
      await clickTo(page, "header a.brand", /\/$/);
    },
  },
  {
    name: "500-production",
    mode: "production",
    path: "/boom",
    status: 500,
    act: async (page) => {
      assert.match((await page.textContent("#request-id")) ?? "", /^[0-9a-f]{12}$/);
      await clickTo(page, "text=Go to the home page", /\/$/);
    },
  },
  {
    name: "500-development",
    mode: "development",
    path: "/boom",
    status: 500,
    act: checkDebugPage,
  },
  {
    name: "static-404-development",
    mode: "development",
    path: "/static/no-such-file.txt",
    status: 404,
    act: async (page) => {
      assert.equal(await page.textContent("#not-found-path"), "/static/no-such-file.txt");
      await clickTo(page, "text=Go to the top of the folder", /\/static\/$/);
    },
  },
  {
    name: "profile",
    mode: "development",
    path: "/__profile__",
    status: 200,
    before: ["/", "/tiles", "/app/", "/static/hello.txt", "/static/hello.txt"],
    act: checkProfilePage,
  },
];

/** The debug page: the app's frame first with its source, single-spaced; the rest folded until asked for. */
async function checkDebugPage(page: Page): Promise<void> {
  const own = await page.$$eval("#stack .frame.own", (frames) => frames.map((f) => f.textContent ?? ""));
  assert.ok(own.length >= 1 && own[0].includes("pages.ts"), `the app's own frame comes first: ${own[0]}`);
  assert.ok(!own.some((frame) => /[\\/]src[\\/](dispatch|middleware|serve)[\\/]/.test(frame)), "no fetchkit frame");
  const lines = await page.$$eval("#stack pre.source", (blocks) =>
    blocks.map((block) => ({
      height: block.clientHeight,
      lines: block.querySelectorAll(".line").length,
      lineHeight: parseFloat(getComputedStyle(block).lineHeight),
    })));
  assert.ok(lines.length >= 1, "source is shown");
  for (const block of lines) {
    assert.ok(block.height < (block.lines + 1.5) * block.lineHeight, `single-spaced: ${JSON.stringify(block)}`);
  }
  const folded = page.locator("#other-frames");
  assert.equal(await folded.getAttribute("open"), null, "fetchkit's and the runtime's frames are folded");
  assert.equal(await page.locator("#other-frames li").first().isVisible(), false);
  await page.click("#other-frames summary");
  assert.ok(await page.locator("#other-frames li").first().isVisible(), "the summary unfolds them");
  await page.click("#other-frames summary");
  const height = await page.evaluate(() => document.scrollingElement!.scrollHeight);
  assert.ok(height < 2600, `the page is short on a phone: ${height} px`);
}

/** The profile page: a histogram with real bars, columns that sort, a reset that empties the table. */
async function checkProfilePage(page: Page): Promise<void> {
  const bars = await page.$$eval(
    "svg#latency-histogram rect.bar",
    (rects) => rects.map((rect) => rect.getBoundingClientRect().height),
  );
  assert.ok(bars.some((height) => height > 2), `the histogram draws bars: ${bars}`);
  const box = await page.locator("svg#latency-histogram").boundingBox();
  assert.ok(box && box.width > 200 && box.width <= PHONE.width && box.height > 60, `histogram fits: ${box?.width}`);
  await page.click("#profile-table th[data-key=count] button");
  const sort = await page.getAttribute("#profile-table th[data-key=count]", "aria-sort");
  assert.equal(sort, "descending");
  const counts = await page.$$eval(
    "#profile-table tbody tr.route td:nth-child(3)",
    (cells) => cells.map((cell) => Number(cell.textContent)),
  );
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), "sorted by count, most first");
  assert.ok(counts.length >= 3 && counts[0] > counts[counts.length - 1], `several routes, sorted: ${counts}`);
  await Promise.all([page.waitForNavigation(), page.click("#reset-form button")]);
  assert.equal(await page.textContent("#total-requests"), "0 requests", "reset forgot every request");
}

for (const pageCase of SITE_PAGES) {
  test(`pages in a browser: ${pageCase.name} (${pageCase.mode}) fits a phone, light and dark, passes axe`, async () => {
    await checkPage(siteOf(pageCase.mode), pageCase);
  }, { only: RUNTIMES, skip: [...skip], timeout: 120_000 });
}

test("pages in a browser: the directory listing sorts as a person reads, fits a phone, its links work", async () => {
  const fixture = makeFixture();
  try {
    for (const name of ["README.md", "big.bin", "file10.txt", "file2.txt", "Zeta.txt", "alpha.txt"]) {
      fixture.write(name, "x".repeat(name.length));
    }
    fixture.write("docs/guide.txt", "a guide");
    fixture.write(`${"a-very-long-folder-name-".repeat(4)}end/x.txt`, "deep");
    const files = serveStatic(fixture.root, { listing: true, mode: "development" });
    await checkPage(files, {
      name: "listing",
      path: "/",
      status: 200,
      act: async (page) => {
        const names = await page.$$eval("#listing tbody a", (links) => links.map((a) => a.textContent));
        assert.deepEqual(names, [
          `${"a-very-long-folder-name-".repeat(4)}end/`,
          "docs/",
          "alpha.txt",
          "big.bin",
          "file2.txt",
          "file10.txt",
          "README.md",
          "Zeta.txt",
        ]);
        await clickTo(page, "text=docs/", /\/docs\/$/);
        assert.equal(await page.textContent("main h1"), "Index of /docs/");
        await clickTo(page, "text=../", /:\d+\/$/);
      },
    });
  } finally {
    fixture.remove();
  }
}, { only: RUNTIMES, skip: [...skip], timeout: 120_000 });

test("pages: the production static 404 stays a short plain answer, for browsers too", async () => {
  const site = siteOf("production");
  for (const accept of ["text/html", "*/*"]) {
    const response = await site(new Request("http://localhost/static/nope.txt", { headers: { accept } }));
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await response.text(), "Not Found\n");
  }
  const curl = await siteOf("development")(new Request("http://localhost/static/nope.txt"));
  assert.equal(await curl.text(), "Not Found\n", "development without Accept: text/html is plain too");
}, { only: RUNTIMES });
