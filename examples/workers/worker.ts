/**
 * A Cloudflare Worker built from fetchkit handlers: the site's guestbook
 * mounted under /app (the same module the Node/Deno/Bun site mounts), a home
 * page and a JSON endpoint reading the Worker's `env`.
 *
 * Run:  npx wrangler dev --config examples/workers/wrangler.toml      then open http://127.0.0.1:8787/
 * (tests/examples.test.ts runs this very file in a real workerd, bundled by
 * esbuild, with the `GREETING` binding that wrangler.toml declares.)
 *
 * @module
 */
import { byMethod, context, defineApp, type Handler, match, mount } from "../../mod.workerd.ts";
import { guestbook } from "../site/guestbook.ts";

/** The bindings declared in wrangler.toml. */
interface Env {
  GREETING?: string;
}

const home: Handler = (request) => {
  const { base } = context(request);
  return new Response(
    `<!doctype html><meta charset="utf-8"><title>fetchkit on Workers</title>
<h1>fetchkit on Workers</h1>
<ul><li><a href="${base}/app/">The guestbook</a></li><li><a href="${base}/api/hello">JSON from env</a></li></ul>\n`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );
};

const hello: Handler = (request) => {
  const env = context(request).env as Env | undefined;
  return Response.json({ greeting: env?.GREETING ?? "(no GREETING binding)", path: new URL(request.url).pathname });
};

/**
 * The Worker's app: plain fetchkit dispatch, no Workers-specific code. The
 * home page and the JSON answer their own path only (`match("/")`): any other
 * path (`/favicon.ico` too) passes through to a 404.
 */
export const app: Handler = mount({
  "/": match("/", byMethod({ GET: home })),
  "/app": guestbook(),
  "/api/hello": match("/", byMethod({ GET: hello })),
});

/** The Worker: `defineApp` puts Workers' `env` and `ctx.waitUntil` into `context(request)`. */
export default defineApp(app);
