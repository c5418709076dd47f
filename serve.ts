#!/usr/bin/env node
/**
 * The fetchkit command: serves a module's default export (a handler or an
 * object with `fetch`), a directory, or the bundled example site.
 *
 *   node serve.ts [module] [--port N] [--host H] [--static DIR] [--workers N] [--watch]
 *   deno run -A serve.ts …      bun run serve.ts …      (--help lists every option)
 *
 * @module
 */
import { runServeCli } from "./src/cli/cli.ts";
import { args, exit } from "./src/internal/process.ts";

const code = await runServeCli(args());
if (code !== undefined) exit(code);
