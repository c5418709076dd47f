/**
 * The site's own pages: the index, the picture cut into 35 tiles, and a page
 * that fails on purpose (to show the error pages of both modes).
 *
 * @module
 */
import { byMethod, cascade, context, type Handler, match } from "../../mod.ts";
import { html, page } from "./html.ts";
import { COLUMNS, ROWS, TILE, tileName } from "./picture/mandelbrot.ts";

/** What the pages need to know about the site around them. */
export interface PagesOptions {
  /** `"development"` shows the profiler link; the errors middleware decides what a failure looks like. */
  mode: "development" | "production";
}

function index(base: string, mode: PagesOptions["mode"]): Response {
  const cards = [
    [`${base}/tiles`, "The picture in 35 tiles", "One page, 35 images requested in parallel, revalidated on reload."],
    [`${base}/app/`, "A mounted app", "A guestbook under /app that builds every link from its mount prefix."],
    [
      `${base}/static/hello.txt`,
      "Static files",
      "examples/site/static/ served under /static with ETag and Last-Modified.",
    ],
    [
      `${base}/vendor/mime/src/index.js`,
      "A package's own files",
      "The installed mime package's dist/ folder, found with import.meta.resolve.",
    ],
    [`${base}/no/such/page`, "A missing page", "The 404 page of the current mode."],
    [
      `${base}/boom`,
      "A failing page",
      "Throws: a debug page in development, a plain 500 with a request id in production.",
    ],
  ];
  cards.push(
    mode === "development"
      ? [`${base}/__profile__`, "The profiler", "Per-route timings and a latency histogram (development mode only)."]
      : [`${base}/__profile__`, "The profiler", "Off in production: start with FETCHKIT_ENV=development npm start."],
  );
  return page({
    base,
    title: "fetchkit example site",
    body: html`
      <p>Everything on this site is a Fetch handler, mounted side by side and served by <code>serve()</code>
      on Deno, Bun or Node. It runs in <strong id="mode">${mode}</strong> mode.</p>
      <ul class="cards">
      ${cards.map(([href, title, text]) => html`<li><a href="${href}">${title}</a><p>${text}</p></li>`)}
      </ul>
      <h2>What type is this file?</h2>
      <p>This box runs the <code>mime</code> package in your browser, loaded from the package's own folder under
      <code>${base}/vendor/mime/</code>, like Django's admin media was served from the installed package.</p>
      <form class="inline" id="mime-form" onsubmit="return false">
        <input type="text" id="mime-name" value="photo.webp" aria-label="File name">
        <output id="mime-type" for="mime-name"></output>
      </form>
      <script type="module">
      import mime from "${base}/vendor/mime/src/index.js";
      const input = document.getElementById("mime-name");
      const output = document.getElementById("mime-type");
      const show = () => (output.value = mime.getType(input.value) ?? "(unknown)");
      input.addEventListener("input", show);
      show();
      </script>
    `,
  });
}

function tiles(base: string, apart: boolean): Response {
  const images = [];
  for (let row = 0; row < ROWS; row++) {
    for (let column = 0; column < COLUMNS; column++) {
      const name = tileName(row, column);
      images.push(
        html`
          <img src="${base}/static/tiles/${name}" width="${TILE}" height="${TILE}"
            alt="tile ${row + 1}, ${column + 1}">
        `,
      );
    }
  }
  return page({
    base,
    title: `The picture in ${ROWS * COLUMNS} tiles`,
    body: html`<p>A ${COLUMNS * TILE}×${ROWS * TILE} picture cut into ${ROWS * COLUMNS} tiles of ${TILE}×${TILE}
(${COLUMNS} across, ${ROWS} down), each a file under <code>/static/tiles/</code>. Reload the page: the browser asks for
every tile again with <code>If-None-Match</code> and the static handler answers <code>304 Not Modified</code>.</p>
<p><a href="${base}/tiles${apart ? "" : "?apart"}">${apart ? "Put the tiles together" : "Show the tiles apart"}</a>
· <a href="${base}/static/picture.png">the whole picture</a></p>
<div class="tiles${apart ? " apart" : ""}" id="tiles">${images}</div>`,
  });
}

/**
 * The site's pages as one handler; anything else is declined with `pass()`.
 *
 * @example
 * ```ts
 * const handler = pages({ mode: "development" });
 * await handler(new Request("http://localhost/tiles"));
 * ```
 */
export function pages(options: PagesOptions): Handler {
  return cascade(
    match("/", byMethod({ GET: (request) => index(context(request).base, options.mode) })),
    match(
      "/tiles",
      byMethod({ GET: (request) => tiles(context(request).base, new URL(request.url).searchParams.has("apart")) }),
    ),
    match("/boom", () => {
      throw new Error("boom: this page fails on purpose to show the error page");
    }),
  );
}
