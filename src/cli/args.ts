/**
 * The `fetchkit` command line, parsed without touching the runtime (so it is
 * unit-tested everywhere, workerd included).
 *
 * @module
 */

/** What the command line asks for. */
export interface CliOptions {
  /** The module to serve; `undefined` serves the bundled example site. */
  module?: string;
  /** `--port N` / `-p N`. */
  port?: number;
  /** `--host H` / `-H H`. */
  host?: string;
  /** `--static DIR`: a directory to serve as files. */
  static?: string;
  /** `--cert FILE`: the TLS certificate (PEM); given with `key`, serves HTTPS. */
  cert?: string;
  /** `--key FILE`: the TLS private key (PEM). */
  key?: string;
  /** `--workers N|auto`. */
  workers?: number | "auto";
  /** `--watch`: restart on source changes. */
  watch: boolean;
  /** `--cors`: let pages of any origin read the answers (`cors()` in front). */
  cors?: boolean;
  /** `--help` / `-h`. */
  help: boolean;
  /** `--version` / `-v`. */
  version: boolean;
  /** `--quiet` / `-q`: no access-log line per request. */
  quiet?: boolean;
  /** `--spa`: navigations that find no file get `index.html` (with `--static`). */
  spa?: boolean;
  /** `--no-clean-urls` sets it false: `/about` no longer serves `about.html` (with `--static`). */
  cleanUrls?: boolean;
}

/** A command line that cannot be run; the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  /** A usage error with the message the CLI prints. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The `--help` text. */
export const USAGE: string = `Usage: fetchkit [module] [options]

Serves a Fetch handler on Node, Deno or Bun:
  npx fetchkit [module] [options]                  (Node.js 22.18 or later)
  bunx fetchkit [module] [options]
  deno run -A jsr:@fetchkit/core/cli [module] [options]

  module          a file whose default export is a handler (request) => Response
                  or an object with a fetch method (export default defineApp(app));
                  none: the bundled example site

Options:
  -p, --port N     port to listen on, 0 for any free one (default: $PORT, else 8000)
  -H, --host H     interface to bind (default: $HOST, else 127.0.0.1; 0.0.0.0 for all)
  --static DIR     serve the files of DIR (with a module: files first, then the module)
  --spa            with --static: pages that are no file get index.html (a single-page app)
  --no-clean-urls  with --static: /about no longer serves about.html (nor /about.html redirects)
  --cert FILE      serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate
  --key FILE       ... and this PEM private key (both or neither)
  --workers N      processes serving the port: a number or "auto" for one per core
  -q, --quiet      no access-log line per request
  --watch          restart when a source file changes
  --cors           let pages of any origin read the answers (CORS, no credentials)
  -v, --version    print the version
  -h, --help       show this help

SIGINT or SIGTERM stops gracefully (in-flight requests finish); a second one forces.
`;

const takesValue = new Set(["port", "host", "static", "workers", "cert", "key"]);
const aliases: Record<string, string> = { p: "port", H: "host", h: "help", v: "version", q: "quiet" };
const flags = new Set(["watch", "help", "version", "quiet", "spa", "no-clean-urls", "cors"]);

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function parseWorkers(value: string): number | "auto" {
  if (value === "auto") return "auto";
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= 1024)) {
    throw new UsageError(`--workers must be a positive integer or "auto", got "${value}"`);
  }
  return count;
}

/**
 * Parses `fetchkit` arguments; throws a {@linkcode UsageError} for unknown
 * options, missing or bad values and extra arguments.
 *
 * @example
 * ```ts
 * import { parseServeArgs } from "@fetchkit/core/cli";
 * parseServeArgs(["app.ts", "--port", "9000"]); // { module: "app.ts", port: 9000, watch: false, help: false, version: false }
 * ```
 */
export function parseServeArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { watch: false, help: false, version: false };
  let positionalOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (positionalOnly || !arg.startsWith("-") || arg === "-") {
      if (options.module !== undefined) {
        throw new UsageError(`one module at most: got "${options.module}" and "${arg}"`);
      }
      options.module = arg;
      continue;
    }
    if (arg === "--") {
      positionalOnly = true;
      continue;
    }
    const long = arg.startsWith("--");
    const [rawName, inline] = long ? splitInline(arg.slice(2)) : [arg.slice(1), undefined];
    const name = long ? rawName : aliases[rawName];
    if (name === undefined || (!takesValue.has(name) && !flags.has(name))) {
      throw new UsageError(`unknown option ${long ? `--${rawName}` : arg}`);
    }
    if (flags.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      if (name === "no-clean-urls") options.cleanUrls = false;
      else options[name as "watch" | "help" | "version" | "quiet" | "spa" | "cors"] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || (value.startsWith("-") && value !== "-")) {
        throw new UsageError(`--${name} needs a value`);
      }
    }
    if (name === "port") options.port = parsePort(value);
    else if (name === "workers") options.workers = parseWorkers(value);
    else if (value === "") throw new UsageError(`--${name} needs a value`);
    else if (name === "host") options.host = value;
    else if (name === "cert" || name === "key") options[name] = value;
    else options.static = value;
  }
  if ((options.spa || options.cleanUrls === false) && options.static === undefined) {
    throw new UsageError(`--${options.spa ? "spa" : "no-clean-urls"} needs --static DIR`);
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new UsageError(options.cert === undefined ? "--key needs --cert" : "--cert needs --key");
  }
  return options;
}

function splitInline(text: string): [string, string | undefined] {
  const eq = text.indexOf("=");
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}
