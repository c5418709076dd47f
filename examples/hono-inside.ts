/**
 * A Hono app mounted inside fetchkit as it is (it has `fetch`), reading its
 * mount prefix with `honoBase(c)`.
 *
 * Run:  node examples/hono-inside.ts      then open http://127.0.0.1:8000/api/users/7
 * (also `deno run -A examples/hono-inside.ts` or `bun examples/hono-inside.ts`)
 *
 * - GET /              fetchkit
 * - GET /api/users/7   Hono, routing on "/users/:id", linking to itself under /api
 *
 * @module
 */
import { Hono } from "hono";
import { honoBase } from "../src/bridge/hono_mod.ts";
import { match, mount, serve } from "../mod.ts";

const api = new Hono();
api.get("/users/:id", (c) => c.json({ id: c.req.param("id"), path: c.req.path, self: `${honoBase(c)}${c.req.path}` }));

const app = mount({
  "/": match("/", () => new Response("fetchkit at the root; a Hono app at /api/\n")), // anything else: 404
  "/api": api,
});

await serve(app);
