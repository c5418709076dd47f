/**
 * The site's 404 pages, given to the `errors` middleware as its `notFound`
 * handler: a plain page in production; in development a debug page in the
 * manner of Django's technical 404, naming the path and the mount table that
 * was tried, so a typo in a prefix is found at a glance.
 *
 * @module
 */
import { context, type Handler } from "../../mod.ts";
import { type Mode } from "../../src/middleware/mod.ts";
import { html, page } from "./html.ts";

/** One row of the mount table, as the debug page lists it. */
export interface Route {
  prefix: string;
  what: string;
}

/**
 * Builds the 404 handler of a mode.
 *
 * @example
 * ```ts
 * const notFound = notFoundPage("development", [{ prefix: "/static", what: "static files" }]);
 * ```
 */
export function notFoundPage(mode: Mode, routes: readonly Route[]): Handler {
  if (mode === "production") {
    return (request) =>
      page({
        base: context(request).base,
        title: "Page not found",
        status: 404,
        body: html`<p>Not Found: there is no page at this address.</p>
<p><a href="${context(request).base}/">Go to the home page</a></p>`,
      });
  }
  return (request) => {
    const { base, originalUrl } = context(request);
    const path = new URL(originalUrl).pathname;
    return page({
      base,
      title: "Page not found (404)",
      status: 404,
      body: html`
        <table class="facts">
          <tr>
            <th>Request</th>
            <td><code id="not-found-request">${request.method} ${path}</code></td>
          </tr>
          <tr>
            <th>Mount prefix</th>
            <td><code>${base || "(top level)"}</code></td>
          </tr>
        </table>
        <p>The site's mount table (examples/site/app.ts) was tried, longest prefix first; every app passed:</p>
        <table class="facts" id="not-found-routes">
        <tr><th>Prefix</th><th>App</th></tr>
        ${routes.map((route) =>
          html`
            <tr>
              <td><code>${base}${route.prefix}</code></td>
              <td>${route.what}</td>
            </tr>
          `
        )}
        </table>
        <p>You see this page because the site runs in <strong>development</strong> mode. In production it is a plain
        "Not Found" page.</p>
      `,
    });
  };
}
