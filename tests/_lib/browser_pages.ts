/**
 * Opens pages in Debian's Chromium (playwright-core) and prints what each
 * page left in `window.__result` as one JSON line per page, then the
 * console's messages. Run by Node 24 as a subprocess, so tests on Deno and
 * Bun drive the same real browser against servers in their own process.
 *
 * Usage: node tests/_lib/browser_pages.ts <url>...
 */
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.ts";

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  for (const url of process.argv.slice(2)) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const messages: string[] = [];
      page.on("console", (message) => messages.push(message.text()));
      await page.goto(url, { waitUntil: "load" });
      await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, null, {
        timeout: 20_000,
      });
      const result = await page.evaluate(() => (globalThis as { __result?: unknown }).__result);
      console.log(JSON.stringify({ url, result, messages }));
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
