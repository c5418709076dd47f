/**
 * Bench server for bench/middleware.ts: a hello handler served by `serve()`,
 * bare (`plain`), wrapped in `profile()` + `logger()` (`profiled`), or in one
 * of them (`profile`, `logger`, for the breakdown), the log
 * going to stderr (redirected to /dev/null by the bench). Listens on $PORT.
 */
import { compose, logger, profile, serve } from "../mod.ts";

const hello = () => new Response("Hello, world");
const variant = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
  (globalThis as { process?: { argv: string[] } }).process?.argv[2];
const app = variant === "profiled"
  ? compose(profile({ mode: "production" }), logger())(hello)
  : variant === "profile"
  ? profile({ mode: "production" })(hello)
  : variant === "logger"
  ? logger()(hello)
  : hello;
await serve(app, { onListen() {} });
