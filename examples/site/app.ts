/**
 * The example site that `npm start` serves (serve.ts with no module): a
 * CherryPy-style dispatcher table, in Fetch handlers.
 *
 * Run:  npm start      then open http://127.0.0.1:8000/
 * (the same as `node serve.ts`, `deno run -A serve.ts` or `bun serve.ts`;
 * development mode, with the profiler and debug pages:
 * `FETCHKIT_ENV=development npm start`)
 *
 * | Path            | What answers                                                   |
 * | --------------- | -------------------------------------------------------------- |
 * | `/`, `/tiles`   | the site's pages (index, the picture in 35 tiles)              |
 * | `/app/`         | a guestbook that builds its links from its mount prefix       |
 * | `/static/`      | `serveStatic` over examples/site/static/                      |
 * | `/vendor/mime/` | the installed `mime` package's own files (the admin media)    |
 * | `/__profile__`  | the profiler's page, in development mode only                  |
 *
 * Importing this module binds no port: its default export is the site as a
 * `{ fetch }` app (`defineApp`), which `serve.ts` or the runtime serves.
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { compose, context, defineApp, type Handler, type Middleware, mount, serveStatic } from "../../mod.ts";
import { errors, logger, type Mode, profile } from "../../src/middleware/mod.ts";
import { resolveMode } from "../../src/middleware/mode.ts";
import { guestbook } from "./guestbook.ts";
import { page } from "./html.ts";
import { notFoundPage, type Route } from "./not_found.ts";
import { pages } from "./pages.ts";

/** Options of {@linkcode createSite}. */
export interface SiteOptions {
  /**
   * `"development"`: the profiler at `/__profile__` and debug error pages;
   * `"production"`: neither. Default: from `FETCHKIT_ENV` (then `NODE_ENV`),
   * production unless one says development.
   */
  mode?: Mode;
  /** Log one line per request to stderr (default true). */
  log?: boolean;
  /** Where failures are logged, with the request id the production page shows (default `console.error`). */
  errorLog?: (message: string) => void;
}

/** examples/site/static/, next to this file. */
const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));

/**
 * The folder of an installed package's files, found the way Node, Deno and
 * Bun resolve an import: `import.meta.resolve("mime")` is the package's main
 * module (`.../node_modules/mime/dist/src/index.js`); `up` folders above its
 * folder is the one to serve (1: `dist/`, which holds `src/` and the `types/`
 * it imports, so the browser can load the module from there).
 */
function packageFolder(specifier: string, up: number): string {
  let folder = dirname(fileURLToPath(import.meta.resolve(specifier)));
  for (let i = 0; i < up; i++) folder = dirname(folder);
  return folder;
}

/**
 * Builds the site. Each call has its own guestbook entries and profile.
 *
 * @example Serve it on a free port
 * ```ts
 * import { serve } from "../../mod.ts";
 * const server = await serve(createSite({ mode: "development" }), { port: 0 });
 * await server.shutdown();
 * ```
 */
export function createSite(options: SiteOptions = {}): Handler {
  const mode = resolveMode(options.mode, "createSite: mode");
  const site = mount({
    "/": pages({ mode }),
    "/app": guestbook({
      // The guestbook only knows its own prefix; the site knows it mounted it at /app.
      frame: (request, title, body, status) =>
        page({ base: context(request).base.slice(0, -"/app".length), title, body, status }),
    }),
    "/static": serveStatic(STATIC_DIR, { mode }),
    "/vendor/mime": serveStatic(packageFolder("mime", 1), { mode }),
  });
  // What the development 404 page lists, longest prefix first as dispatch tries them.
  const routes: Route[] = [
    { prefix: "/vendor/mime", what: "serveStatic: the installed mime package's dist/ folder" },
    { prefix: "/static", what: "serveStatic: examples/site/static/" },
    { prefix: "/app", what: "the guestbook: /, /about, /entries, /entries/:id" },
    { prefix: "/", what: "the site's pages: /, /tiles, /boom" },
  ];
  const middleware: Middleware[] = [
    // The logger sees every request first and every response last (500s included);
    // errors turns a throw into the mode's 500 page and a pass() into its 404 page;
    // the profiler times the app (failures counted) and serves its page where the mode allows.
    ...(options.log === false ? [] : [logger()]),
    errors({ mode, notFound: notFoundPage(mode, routes), log: options.errorLog }),
    profile({ mode }),
  ];
  return compose(...middleware)(site);
}

/** The site as `npm start` serves it (and `deno serve examples/site/app.ts`, `bun examples/site/app.ts`). */
export default defineApp(createSite());
