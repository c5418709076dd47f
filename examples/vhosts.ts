/**
 * Two sites on one server, chosen by the Host header: Apache's
 * `<VirtualHost>` blocks as one table.
 *
 * Run:  node examples/vhosts.ts      then open http://alpha.localhost:8000/ and http://beta.localhost:8000/
 * (browsers and curl send `*.localhost` to 127.0.0.1 by themselves; or
 * `curl -H "Host: beta.localhost" http://127.0.0.1:8000/`. Also with
 * `deno run -A examples/vhosts.ts` or `bun examples/vhosts.ts`.)
 *
 * Importing this module binds no port: it serves only when run directly.
 *
 * @module
 */
import { context, hosts, match, mount, serve } from "../mod.ts";

function page(title: string, body: string): Response {
  return new Response(`<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1>${body}\n`, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

/**
 * The first site: a home page and an about page. `match("/")` answers the
 * home page only, so any other path falls through (`pass()`) to a 404.
 */
export const alpha = mount({
  "/": match("/", () => page("Alpha", `<p>The alpha site. <a href="/about">About alpha</a></p>`)),
  "/about": () => page("About alpha", "<p>Alpha is the first of two sites on this server.</p>"),
});

/** The second site: one page that shows which host it was asked for. */
export const beta = mount({
  "/": match(
    "/",
    (request) => page("Beta", `<p>The beta site, asked for as <code>${request.headers.get("host")}</code>.</p>`),
  ),
});

/**
 * Alpha and beta by name, any `*.beta.localhost` to beta as well, and a
 * plain page for every other host (without `"*"`, an unknown host gets 421).
 */
export const site = hosts({
  "alpha.localhost": alpha,
  "beta.localhost": beta,
  "*.beta.localhost": beta,
  "*": (request) =>
    new Response(
      `No site is called ${request.headers.get("host")} here; try alpha.localhost or beta.localhost (seen from ${
        context(request).remoteAddr?.hostname ?? "?"
      }).\n`,
      { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } },
    ),
});
export default site;

if (import.meta.main) await serve(site);
