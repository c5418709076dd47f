/**
 * The `fetchkit` command: parse, find the handler, serve. Kept to a few small
 * imports so the command starts fast; the static file server and the example
 * site are imported only when asked for.
 *
 * @module
 */
import type { Handler } from "../handler.ts";
import { type CliOptions, parseServeArgs, USAGE, UsageError } from "./args.ts";
import { banner, devLogger, networkAddresses, type Served } from "./dev_server.ts";
import { fileUrl, findHandler, type Found, importModule, isNotFound } from "./module.ts";
import { env, onStdinClosed } from "../internal/process.ts";
import { serve } from "../serve/serve.ts";
import { VERSION } from "../version.ts";
import { textResponse } from "../internal/body_length.ts";

/** The example site the command serves when given no module (in a clone of the repository). */
const SITE = new URL("../../examples/site/app.ts", import.meta.url);

/** What the command serves when the example site is not there (the published package). */
const builtinPage: Handler = () =>
  textResponse(
    `<!doctype html><meta charset="utf-8"><title>fetchkit</title>
<h1>fetchkit</h1><p>It works. Serve your own app with <code>fetchkit app.ts</code>; see <code>--help</code>.</p>\n`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );

async function exampleSite(): Promise<Handler> {
  try {
    const site = await import(SITE.href);
    // The site logs its requests itself; built without that, it gets the command's log like any app.
    if (typeof site.createSite === "function") return site.createSite({ log: false });
    const found = findHandler(site, "examples/site/app.ts");
    if (found.handler) return found.handler;
    console.error(`fetchkit: ${found.error}; serving the built-in page`);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return builtinPage;
}

/** `--static DIR`'s files; text files compressed on the fly when they have no precompressed sibling, as `npx serve` does. */
async function staticFiles(dir: string, options: CliOptions): Promise<Found> {
  const { stat } = await import("node:fs/promises");
  try {
    if (!(await stat(dir)).isDirectory()) return { error: `--static ${dir} is not a directory` };
  } catch {
    return { error: `--static ${dir}: no such directory` };
  }
  const { serveStatic } = await import("../static/mod.ts");
  const cleanUrls = options.cleanUrls ?? true; // as `npx serve`: /about serves about.html
  return {
    handler: serveStatic(dir, { listing: true, fallthrough: false, cleanUrls, spa: options.spa, compress: true }),
  };
}

/** Files first, then the module, then (with `--spa`) the index file for the navigations both let through. */
async function filesThenModule(dir: string, app: Handler, options: CliOptions): Promise<Handler> {
  const [{ cascade }, { serveStatic }] = await Promise.all([
    import("../dispatch/cascade.ts"),
    import("../static/mod.ts"),
  ]);
  const files = serveStatic(dir, { fallthrough: true, cleanUrls: options.cleanUrls ?? true, compress: true });
  if (!options.spa) return cascade(files, app);
  return cascade(files, app, serveStatic(dir, { fallthrough: true, spa: true, compress: true }));
}

/** What the banner names: the folder, the module, or the example site, and the modes that change answers. */
export function servedOf(options: CliOptions): Served {
  const features: string[] = [];
  const path = (given: string) => decodeURIComponent(fileUrl(given).pathname);
  if (options.static !== undefined) {
    features.push("directory listings");
    if (options.cleanUrls ?? true) features.push("clean URLs");
    if (options.spa) features.push("single-page app");
  }
  const parts: string[] = [];
  if (options.static !== undefined) parts.push(`the folder ${path(options.static)}`);
  if (options.module !== undefined) parts.push(`the module ${path(options.module)}`);
  return { what: parts.length > 0 ? parts.join(", then ") : "the example site", features };
}

/** Builds the handler the options ask for. */
export async function loadApp(options: CliOptions): Promise<Found> {
  if (options.static !== undefined) {
    const files = await staticFiles(options.static, options);
    if (options.module === undefined || files.error) return files;
    const app = await importModule(options.module);
    if (app.error !== undefined) return app;
    return { handler: await filesThenModule(options.static, app.handler, options) };
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
  const withCors = options.cors ? (await import("../middleware/cors.ts")).cors()(found.handler) : found.handler;
  const handler = options.quiet ? withCors : devLogger()(withCors);
  const served = servedOf(options);
  const onListen = async (addresses: URL[]) => {
    const network = addresses.some((url) => url.hostname === "0.0.0.0" || url.hostname === "[::]")
      ? await networkAddresses()
      : [];
    for (const line of banner(served, addresses, network)) console.log(line);
  };
  const tls = options.cert !== undefined && options.key !== undefined
    ? { cert: options.cert, key: options.key }
    : undefined;
  try {
    await serve(handler, {
      port: options.port,
      hostname: options.host,
      workers: options.workers,
      tls,
      onListen: (addresses) => void onListen(addresses),
    });
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
