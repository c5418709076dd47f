/**
 * CORS as a real browser decides it: Debian's Chromium (playwright-core, in a
 * Node subprocess: tests/_lib/browser_pages.ts) loads a page from one
 * 127.0.0.1 port that calls an API on another, through `cors()` on Deno, Bun
 * and Node. The allowed origin's preflighted PUT and credentialed GET
 * succeed; the other origin is blocked by the browser, and its PUT never
 * reaches the app.
 *
 * Skipped with a message when /usr/bin/chromium is missing (apt-get install chromium).
 */
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { runtime, test } from "./_lib/test.ts";
import { CHROMIUM, haveChromium } from "./_lib/chromium.ts";
import { withServer } from "./_lib/server.ts";
import { run } from "./_lib/run.ts";
import type { Handler } from "../src/handler.ts";
import { byMethod } from "../src/dispatch/by_method.ts";
import { mount } from "../src/dispatch/mount.ts";
import { cors } from "../src/middleware/cors.ts";

if (!haveChromium && runtime !== "workerd") {
  console.log(`# browser CORS tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}
const root = resolve(import.meta.dirname ?? ".", "..");

/** A page whose script calls the API: a preflighted PUT with a custom header, then a credentialed GET. */
function page(api: string): Handler {
  const script = `
const api = ${JSON.stringify(api)};
const result = {};
try {
  const put = await fetch(api + "/items/1", {
    method: "PUT",
    headers: { "content-type": "application/json", "x-token": "t1" },
    body: JSON.stringify({ name: "one" }),
  });
  result.put = put.status + " " + await put.text() + " " + put.headers.get("x-total");
} catch (error) {
  result.put = "blocked " + error.name;
}
try {
  const get = await fetch(api + "/items/1", { credentials: "include" });
  result.get = get.status + " " + await get.text();
} catch (error) {
  result.get = "blocked " + error.name;
}
globalThis.__result = result;
`;
  return () =>
    new Response(`<!doctype html><meta charset="utf-8"><title>cors</title><script type="module">${script}</script>`, {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
}

interface Seen {
  method: string;
  preflight: boolean;
}

test("browser: a CORS preflight from an allowed origin succeeds, another origin is blocked", async () => {
  const seen: Seen[] = [];
  let allowedOrigin = "";
  const items = byMethod({
    GET: (request) => new Response(`got with cookie=${request.headers.get("cookie") !== null}`),
    PUT: async (request) => new Response(`put ${(await request.json()).name}`, { headers: { "x-total": "1" } }),
  });
  const api: Handler = (request) => {
    seen.push({ method: request.method, preflight: request.headers.has("access-control-request-method") });
    return cors({
      origin: (origin) => origin === allowedOrigin,
      credentials: true,
      allowHeaders: ["content-type", "x-token"],
      exposeHeaders: ["x-total"],
    })(mount({ "/items": items }))(request);
  };
  await withServer(api, async (apiUrl) => {
    const apiOrigin = apiUrl.origin;
    await withServer(page(apiOrigin), async (allowedUrl) => {
      allowedOrigin = allowedUrl.origin;
      await withServer(page(apiOrigin), async (otherUrl) => {
        const output = await run(join(root, "node_modules", ".bin", "node"), [
          join(root, "tests", "_lib", "browser_pages.ts"),
          allowedUrl.href,
          otherUrl.href,
        ]);
        const [allowed, other] = output.trim().split("\n").map((line) => JSON.parse(line));
        assert.deepEqual(allowed.result, { put: "200 put one 1", get: "200 got with cookie=false" }, output);
        assert.equal(other.result.put, "blocked TypeError", output);
        assert.equal(other.result.get, "blocked TypeError", output);
        assert.ok(other.messages.some((m: string) => /CORS policy/.test(m)), "Chromium names the CORS policy");
        // The browser sent one preflight per origin; the disallowed origin's PUT never reached the app.
        assert.equal(seen.filter((s) => s.preflight).length, 2);
        assert.equal(seen.filter((s) => s.method === "PUT").length, 1);
      });
    });
  });
}, { skip: ["workerd", ...(haveChromium ? [] : ["node", "deno", "bun"] as const)], timeout: 90_000 });
