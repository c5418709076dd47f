/**
 * The 404 of `serveStatic` in development, for a browser: a page in
 * fetchkit's look naming the path and the folder it was looked for in. In
 * production (and for clients that do not ask for HTML) a 404 stays the
 * short plain `Not Found`, which tells a visitor nothing about the files.
 *
 * @module
 */
import { context } from "../context.ts";
import { escapeHtml } from "../internal/html.ts";
import { renderPage } from "../internal/page.ts";
import { rawPath } from "../internal/url.ts";
import type { StaticServer } from "./server.ts";
import { textResponse } from "../internal/body_length.ts";

/** Whether the 404 for `request` is the development page: development mode, and a client that asks for HTML. */
export function wantsNotFoundPage(server: StaticServer, request: Request | undefined): request is Request {
  return server.settings.mode === "development" && request !== undefined &&
    (request.headers.get("accept")?.includes("text/html") ?? false);
}

/** The development 404 page for `request`. */
export function notFoundPage(server: StaticServer, request: Request): Response {
  const base = context(request).base;
  let path = base + rawPath(request.url);
  try {
    path = decodeURIComponent(path);
  } catch { /* shown as received */ }
  const folder = typeof server.root === "string" ? server.root : "the file source given to serveStatic";
  const hidden = /(^|\/)\.[^/]/.test(path) && server.settings.dotfiles === "ignore"
    ? `<p>A segment of this path starts with a dot: such files are hidden (<code>dotfiles: "ignore"</code>).</p>`
    : "";
  const main = `<h1>Not Found</h1>
<p>There is no file at <code id="not-found-path">${escapeHtml(path)}</code>.</p>
<p>serveStatic looked for it in <code>${escapeHtml(folder)}</code>. Names are matched exactly, case included.</p>
${hidden}<p><a href="${escapeHtml(base)}/">Go to the top of the folder</a></p>
<p><small>This page is shown because fetchkit runs in development mode; in production a missing file is a plain
"Not Found".</small></p>`;
  const html = renderPage({ title: "Not Found", label: "static files", main });
  return textResponse(html, {
    status: 404,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
