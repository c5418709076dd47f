#!/usr/bin/env node
/**
 * The `fetchkit` command, run from a clone of the repository: serves a
 * module's default export (a handler or an object with `fetch`), a directory,
 * or the bundled example site.
 *
 *   node serve.ts [module] [--port N] [--host H] [--static DIR [--spa]] [--workers N] [--watch] [--quiet]
 *   deno run -A serve.ts …      bun run serve.ts …      (--help lists every option)
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

await main();
