/**
 * A bare Deno.serve / Bun.serve whose handler repeats one step of fetchkit's
 * per-request work `times` times on the real server Request, for
 * bench/overhead.ts. Forty repeats lift a step's cost (tens of nanoseconds) well
 * above this machine's round-to-round noise. A cost paid only on the first
 * run per Request (the runtime building the URL string) is counted once in
 * forty here; the url-floor row of bench/hello.ts measures it instead.
 *
 * Run: <deno run -A | bun run> bench/servers/repeat.ts <bare|url|response|answer|mount> <times>   (listens on $PORT)
 */
import { mount } from "../../mod.ts";
import { answerer } from "../../src/serve/answer.ts";
import { defaultLimits } from "../../src/serve/limits.ts";
import type { ContextInit } from "../../src/context.ts";
import { args, serveNatively } from "./native.ts";

const body = "Hello, world";
const hello = () => new Response(body);
const app = mount({ "/": hello, "/api": () => new Response("api"), "/static": () => new Response("static") });
const init: ContextInit = { runtimeArgs: [] };
const { answer } = answerer({
  handler: hello,
  limits: defaultLimits,
  track() {},
  port: 0,
  hostname: "",
  reusePort: false,
  native: {},
  overrideGlobals: false,
}, false);
let read = 0;

const steps: Record<string, (request: Request) => Response | Promise<Response>> = {
  url(request) {
    for (let i = 0; i < times; i++) read += request.url.length;
    return hello();
  },
  response() {
    for (let i = 1; i < times; i++) hello();
    return hello();
  },
  /** What serve() adds around a handler: bind the context, call, check the answer (Response included). */
  answer(request) {
    for (let i = 1; i < times; i++) answer(request, init);
    return answer(request, init);
  },
  /** A 3-entry mount answering "/" (Response included). */
  mount(request) {
    for (let i = 1; i < times; i++) app(request);
    return app(request);
  },
};

const [step, timesArgument] = args;
const times = Number(timesArgument);
if (!Number.isInteger(times) || times < 1) {
  throw new TypeError("bench/servers/repeat.ts: times must be a positive integer");
}
const handler = step === "bare" ? () => hello() : steps[step];
if (handler === undefined) throw new TypeError(`bench/servers/repeat.ts: unknown step ${JSON.stringify(step)}`);
if (!serveNatively(handler)) throw new TypeError("bench/servers/repeat.ts runs on Deno and Bun");
if (read < 0) console.log(read); // keeps the reads observable
