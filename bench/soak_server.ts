/**
 * The soak server for bench/soak.ts, on $PORT: a dynamic route, static files,
 * and a handler that throws on every 10th request.
 *
 * Run: <runtime> bench/soak_server.ts
 */
import { fileURLToPath } from "node:url";
import { mount, serve, serveStatic } from "../mod.ts";

let calls = 0;
const app = mount({
  "/dynamic": (request) =>
    Response.json({ path: new URL(request.url).pathname, at: Date.now(), n: Math.random() }, {
      headers: { "cache-control": "no-store" },
    }),
  "/static": serveStatic(fileURLToPath(new URL("../tests/fixtures/serve/static/", import.meta.url))),
  "/flaky": () => {
    if (++calls % 10 === 0) throw new Error(`deliberate failure #${calls / 10}`);
    return new Response("fine");
  },
});
// The deliberate failures are logged by serve(); keep the soak's output readable.
const log = console.error;
console.error = (...args: unknown[]) => {
  if (!String(args[0]).includes("deliberate failure")) log(...args);
};
await serve(app, { onListen() {} });
