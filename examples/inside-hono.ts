/**
 * fetchkit inside a Hono app: `serveStatic` as a drop-in for Hono's own
 * (the same code on every runtime), and a fetchkit mount table under a route.
 *
 * Run:  node examples/inside-hono.ts      then open http://127.0.0.1:8000/static/
 * (also `deno run -A examples/inside-hono.ts` or `bun examples/inside-hono.ts`)
 *
 * - GET /static/*   files from examples/site/static; misses go on to Hono
 * - GET /kit/hello  a fetchkit handler, seeing the path below /kit
 * - GET /           Hono
 *
 * @module
 */
import { Hono } from "hono";
import { context, mount, serve, serveStatic } from "../mod.ts";
import { toHono } from "../src/bridge/hono_mod.ts";

const root = new URL("./site/static", import.meta.url).pathname;

const app = new Hono();
app.use("/static/*", toHono(serveStatic(root, { fallthrough: true, listing: true })));
app.use("/kit/*", toHono(mount({ "/hello": (request) => new Response(`hello from ${context(request).base}\n`) })));
app.get("/static/*", (c) => c.text(`no such file: ${c.req.path}\n`, 404));
app.get("/", (c) => c.text("Hono at the root; fetchkit under /static and /kit\n"));

await serve(app);
