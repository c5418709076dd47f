// @workerd
/**
 * The example site's portable parts (the guestbook, the pages, the HTML
 * template, the PNG encoder), tested without sockets or files, so they also
 * run inside workerd.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { isPass, mount } from "../mod.ts";
import { guestbook } from "../examples/site/guestbook.ts";
import { html } from "../examples/site/html.ts";
import { pages } from "../examples/site/pages.ts";
import { cutTile, renderPicture } from "../examples/site/picture/mandelbrot.ts";
import { decodePng, encodePng } from "../examples/site/picture/png.ts";

const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });

test("site html: values are escaped, Html values and arrays are not", () => {
  const inner = html`<b>${"<i>"}</b>`;
  assert.equal(
    html`<p title="${`"'&`}">${inner}${["<", html`<br>`]}${undefined}${false}</p>`.toString(),
    '<p title="&quot;&#39;&amp;"><b>&lt;i&gt;</b>&lt;<br></p>',
  );
});

test("guestbook: sign, redirect to the entry, list it, all under the mount prefix", async () => {
  const app = mount({ "/deep/book": guestbook() });
  const signed = await app(new Request("http://localhost/deep/book/entries", form({ name: "Ada", message: "<hi>" })));
  assert.equal(signed.status, 303);
  assert.equal(signed.headers.get("location"), "/deep/book/entries/0");
  const entry = await (await app(new Request("http://localhost/deep/book/entries/0"))).text();
  assert.match(entry, /<blockquote id="message">&lt;hi&gt;<\/blockquote>/);
  assert.match(entry, /href="\/deep\/book\/"/);
  const list = await (await app(new Request("http://localhost/deep/book/"))).text();
  assert.match(list, /<a href="\/deep\/book\/entries\/0">Ada<\/a>: &lt;hi&gt;/);
  assert.match(list, /action="\/deep\/book\/entries"/);
  const about = await (await app(new Request("http://localhost/deep/book/about?q=1"))).text();
  assert.match(about, /<td id="base"><code>\/deep\/book<\/code><\/td>/);
  assert.match(about, /<td id="path"><code>\/about<\/code><\/td>/);
  assert.match(about, /<td id="original"><code>http:\/\/localhost\/deep\/book\/about\?q=1<\/code><\/td>/);
});

test("guestbook: bad input is a 4xx with a reason, unknown paths pass", async () => {
  const app = guestbook();
  const empty = await app(new Request("http://localhost/entries", form({ name: " ", message: "x" })));
  assert.equal(empty.status, 400);
  assert.match(await empty.text(), /name and message are required/);
  const notForm = await app(
    new Request("http://localhost/entries", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    }),
  );
  assert.equal(notForm.status, 400);
  const wrongMethod = await app(new Request("http://localhost/entries", { method: "PUT" }));
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST, OPTIONS");
  const missing = await app(new Request("http://localhost/entries/999"));
  assert.equal(missing.status, 404);
  assert.ok(isPass(await app(new Request("http://localhost/elsewhere"))), "not the guestbook's: passed on");
  assert.ok(isPass(await app(new Request("http://localhost/entries/x"))));
});

test("site pages: index and tiles build their links from the site's prefix; the rest passes", async () => {
  const site = mount({ "/here": pages({ mode: "production" }) });
  const index = await (await site(new Request("http://localhost/here/"))).text();
  assert.match(index, /href="\/here\/tiles"/);
  assert.match(index, /import mime from "\/here\/vendor\/mime\/src\/index\.js"/);
  assert.match(index, /<strong id="mode">production<\/strong>/);
  const tiles = await (await site(new Request("http://localhost/here/tiles"))).text();
  assert.equal(
    tiles.match(/<img src="\/here\/static\/tiles\/r[0-4]c[0-6]\.png" width="100" height="100"/g)?.length,
    35,
  );
  assert.ok(isPass(await site(new Request("http://localhost/here/nothing"))));
  await assert.rejects(async () => await site(new Request("http://localhost/here/boom")), /fails on purpose/);
});

test("site picture: the PNG encoder round-trips a tile, and bad input is a TypeError naming the option", async () => {
  const tile = cutTile(renderPicture(), 2, 3);
  const decoded = await decodePng(await encodePng(tile));
  assert.deepEqual([decoded.width, decoded.height], [100, 100]);
  assert.deepEqual(decoded.palette, tile.palette);
  assert.ok(decoded.pixels.every((value, i) => value === tile.pixels[i]));
  const png = await encodePng({ width: 1, height: 1, palette: [[1, 2, 3]], pixels: Uint8Array.of(0) });
  const corrupt = png.slice();
  corrupt[20] ^= 1; // inside IHDR: its CRC no longer matches
  await assert.rejects(decodePng(corrupt), /bad CRC/);
  await assert.rejects(decodePng(png.subarray(1)), /bad signature/);
  await assert.rejects(encodePng({ ...tile, pixels: new Uint8Array(5) }), { name: "TypeError", message: /pixels/ });
  await assert.rejects(encodePng({ ...tile, width: 0 }), { name: "TypeError", message: /width/ });
  await assert.rejects(encodePng({ ...tile, palette: [] }), { name: "TypeError", message: /palette/ });
});
