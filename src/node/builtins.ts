/**
 * Access to `node:http` and `node:stream` without a static `node:` import, so
 * the bridge barrel still bundles for Workers: the modules are fetched with
 * `process.getBuiltinModule` (Node 22.3+, Deno 2, Bun) the first time a Node
 * bridge is built.
 *
 * @module
 */
import type * as Http from "node:http";
import type * as Stream from "node:stream";

/** The two Node modules the bridges need. */
export interface NodeBuiltins {
  http: typeof Http;
  stream: typeof Stream;
}

let loaded: NodeBuiltins | undefined;

/** Returns `node:http` and `node:stream`, or throws a TypeError naming `caller` where there are none. */
export function nodeBuiltins(caller: string): NodeBuiltins {
  if (loaded) return loaded;
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  if (typeof process?.getBuiltinModule !== "function") {
    throw new TypeError(
      `${caller} needs node:http (Node.js 22.3+, Deno or Bun); this runtime has no process.getBuiltinModule`,
    );
  }
  const http = process.getBuiltinModule("node:http") as typeof Http | undefined;
  const stream = process.getBuiltinModule("node:stream") as typeof Stream | undefined;
  if (!http?.IncomingMessage || !stream?.Duplex) throw new TypeError(`${caller} needs node:http and node:stream`);
  loaded = { http, stream };
  return loaded;
}
