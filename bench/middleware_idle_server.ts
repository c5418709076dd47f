/**
 * Bench server for bench/middleware_idle.ts: the hello of bench/hello.ts
 * (`serve()` + a 3-entry mount), bare (`plain`) or behind one middleware
 * that has little or nothing to do for a same-origin GET: `cors` (the
 * default, any origin), `cors-list` (a list of origins, so it adds
 * `Vary: Origin`), `secure` (secureHeaders' defaults), `request-id`
 * (requestId, no incoming id: a new UUID per request), and the floors of
 * the last two: a hello that itself sets the same headers (`secure-floor`)
 * or reads the header, makes a UUID and sets it (`request-id-floor`), with
 * no middleware code. Listens on $PORT.
 *
 * Run: <runtime> bench/middleware_idle_server.ts <variant>
 */
import { mount, serve } from "../mod.ts";
import { cors, requestId, secureHeaders } from "../src/middleware/mod.ts";
import { args, port } from "./servers/native.ts";

const hello = () => new Response("Hello, world");
const app = mount({
  "/": hello,
  "/api": () => new Response("api"),
  "/static": () => new Response("static"),
});
/** The headers secureHeaders() adds by default, set by the handler itself. */
const SECURITY: [string, string][] = [
  ["strict-transport-security", "max-age=15552000; includeSubDomains"],
  ["x-content-type-options", "nosniff"],
  ["x-frame-options", "SAMEORIGIN"],
  ["referrer-policy", "no-referrer"],
  ["cross-origin-opener-policy", "same-origin"],
  ["cross-origin-resource-policy", "same-origin"],
  ["origin-agent-cluster", "?1"],
  ["x-dns-prefetch-control", "off"],
  ["x-download-options", "noopen"],
  ["x-permitted-cross-domain-policies", "none"],
  ["x-xss-protection", "0"],
];
const secureFloor = mount({
  "/": () => {
    const response = hello();
    for (const [name, value] of SECURITY) response.headers.set(name, value);
    return response;
  },
});
const requestIdFloor = mount({
  "/": (request) => {
    const response = hello();
    response.headers.set("x-request-id", request.headers.get("x-request-id") ?? crypto.randomUUID());
    return response;
  },
});
const variants: Record<string, typeof app> = {
  "secure-floor": secureFloor,
  "request-id-floor": requestIdFloor,
  plain: app,
  cors: cors()(app),
  "cors-list": cors({ origin: ["https://app.example", "https://admin.example"] })(app),
  secure: secureHeaders()(app),
  "request-id": requestId()(app),
};
const chosen = variants[args[0]];
if (chosen === undefined) {
  throw new TypeError(`bench/middleware_idle_server.ts: unknown variant ${JSON.stringify(args[0])}`);
}
await serve(chosen, { port, onListen() {} });
