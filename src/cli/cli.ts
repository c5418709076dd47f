/**
 * The `fetchkit` command: parse, find the handler, serve. Kept to a few small
 * imports so the command starts fast; the static file server and the example
 * site are imported only when asked for.
 *
 * @module
 */
import type { Handler } from "../handler.ts";
import { type CliOptions, parseServeArgs, USAGE, UsageError } from "./args.ts";
import { findHandler, type Found, importModule, isNotFound } from "./module.ts";
import { env, onStdinClosed } from "../internal/process.ts";
import { serve } from "../serve/serve.ts";
import { VERSION } from "../version.ts";

/** The example site the command serves when given no module (in a clone of the repository). */
const SITE = new URL("../../examples/site/app.ts", import.meta.url);

/** What the command serves when the example site is not there (the published package). */
const builtinPage: Handler = () =>
  new Response(
    `<!doctype html><meta charset="utf-8"><title>fetchkit</title>
<h1>fetchkit</h1><p>It works. Serve your own app with <code>fetchkit app.ts</code>; see <code>--help</code>.</p>\n`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );

async function exampleSite(): Promise<Handler> {
  try {
    const found = findHandler(await import(SITE.href), "examples/site/app.ts");
    if (found.handler) return found.handler;
    console.error(`fetchkit: ${found.error}; serving the built-in page`);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return builtinPage;
}

async function staticFiles(dir: string): Promise<Found> {
  const { stat } = await import("node:fs/promises");
  try {
    if (!(await stat(dir)).isDirectory()) return { error: `--static ${dir} is not a directory` };
  } catch {
    return { error: `--static ${dir}: no such directory` };
  }
  const { serveStatic } = await import("../static/mod.ts");
  return { handler: serveStatic(dir, { listing: true, fallthrough: false }) };
}

/** Builds the handler the options ask for. */
export async function loadApp(options: CliOptions): Promise<Found> {
  if (options.static !== undefined) {
    const files = await staticFiles(options.static);
    if (options.module === undefined || files.error) return files;
    const app = await importModule(options.module);
    if (app.error !== undefined) return app;
    const [{ cascade }, { serveStatic }] = await Promise.all([
      import("../dispatch/cascade.ts"),
      import("../static/mod.ts"),
    ]);
    return { handler: cascade(serveStatic(options.static, { fallthrough: true }), app.handler) };
  }
  if (options.module !== undefined) return await importModule(options.module);
  return { handler: await exampleSite() };
}

/**
 * Runs the command; resolves to an exit code when it is done at once (help,
 * usage error, a module without handler) and to `undefined` while serving.
 *
 * @example
 * ```ts
 * import { runServeCli } from "@fetchkit/core/cli";
 * const code = await runServeCli(["--help"]); // prints the usage, 0
 * ```
 */
export async function runServeCli(argv: readonly string[]): Promise<number | undefined> {
  let options: CliOptions;
  try {
    options = parseServeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`fetchkit: ${error.message} (see fetchkit --help)`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.version) {
    console.log(`fetchkit ${VERSION}`);
    return 0;
  }
  if (options.watch && env("FETCHKIT_WATCHING") === undefined) {
    return await (await import("./watch.ts")).watch(argv, options);
  }
  const found = await loadApp(options);
  if (found.error !== undefined) {
    console.error(`fetchkit: ${found.error}`);
    return 2;
  }
  const tls = options.cert !== undefined && options.key !== undefined
    ? { cert: options.cert, key: options.key }
    : undefined;
  try {
    await serve(found.handler, { port: options.port, hostname: options.host, workers: options.workers, tls });
  } catch (error) {
    // A bad option (an unreadable certificate, say) is the user's to fix: its message, not a stack.
    if (!(error instanceof TypeError)) throw error;
    console.error(`fetchkit: ${error.message}`);
    return 1;
  }
  // Under `--watch` the supervisor holds our stdin: when it goes, so do we.
  if (env("FETCHKIT_WATCHING") !== undefined) {
    const { stopProcess } = await import("../serve/shutdown.ts");
    onStdinClosed(() => stopProcess("watch supervisor gone"));
  }
  return undefined;
}
