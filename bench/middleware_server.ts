/**
 * Bench server for bench/middleware.ts: a hello handler served by `serve()`,
 * bare (`plain`), wrapped in `profile()` + `logger()` (`profiled`), or in one
 * of them (`profile`, `logger`, for the breakdown), or touching only the
 * headers those two must touch (`floor`, no middleware code), the log
 * going to stderr (redirected to /dev/null by the bench). Listens on $PORT.
 */
import { compose, context, serve } from "../mod.ts";
import { logger, profile } from "../src/middleware/mod.ts";
import { args } from "./servers/native.ts";

const hello = () => new Response("Hello, world");
/**
 * What a Combined log line and a Server-Timing header need from the request
 * and the response, and nothing else: two clock reads, the client address, the
 * URL, two request headers, one response header added and one read.
 */
const floor = (request: Request) => {
  const started = performance.now();
  const seen = [
    context(request).remoteAddr,
    request.url,
    request.headers.get("referer"),
    request.headers.get("user-agent"),
  ];
  const response = new Response("Hello, world");
  response.headers.append("server-timing", "app;dur=" + (performance.now() - started));
  response.headers.get("content-length");
  return seen.length > 0 ? response : new Response("");
};
const variant = args[0];
const app = variant === "profiled"
  ? compose(profile({ mode: "production" }), logger())(hello)
  : variant === "profile"
  ? profile({ mode: "production" })(hello)
  : variant === "logger"
  ? logger()(hello)
  : variant === "floor"
  ? floor
  : hello;
await serve(app, { onListen() {} });
