/**
 * The `fetchkit` command as a module: `deno run -A jsr:@fetchkit/core/cli
 * app.ts` runs it, the npm bin and the repository's `serve.ts` call
 * {@linkcode main}, and importing it runs nothing.
 *
 * @example Run the command from a script of your own
 * ```ts
 * import { runServeCli } from "@fetchkit/core/cli";
 * const code = await runServeCli(["--version"]); // prints "fetchkit 0.1.0", 0
 * ```
 *
 * @module
 */
import { runServeCli } from "./cli.ts";
import { args, exit } from "../internal/process.ts";

export { runServeCli };
export { type CliOptions, parseServeArgs, USAGE, UsageError } from "./args.ts";

/**
 * Runs the command with the process's arguments and exits with its code once
 * it is done (at once for `--help`, a usage error or a module without a
 * handler; when the server stops otherwise).
 *
 * @example The whole of a launcher script
 * ```ts
 * import { main } from "@fetchkit/core/cli";
 * if (import.meta.main) await main();
 * ```
 */
export async function main(): Promise<void> {
  const code = await runServeCli(args());
  if (code !== undefined) exit(code);
}

if ((import.meta as { main?: boolean }).main) await main();
