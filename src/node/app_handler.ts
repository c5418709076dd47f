/**
 * A Node `(req, res, next)` app as a fetchkit handler, the two ways `fromNode`
 * runs it: on the server's own `req` and `res` when the Request is still as it
 * arrived ({@linkcode untouchedExchange}, app_direct.ts), else on copies
 * through a bridge socket (app_bridged.ts).
 *
 * @module
 */
import { context } from "../context.ts";
import type { Handler } from "../handler.ts";
import { runBridged } from "./app_bridged.ts";
import { runDirect } from "./app_direct.ts";
import { nodeBuiltins } from "./builtins.ts";
import { untouchedExchange } from "./exchange.ts";
import type { NodeListener } from "./types.ts";

/** The handler running `app`; a TypeError naming `caller` on a runtime without `node:http`. */
export function nodeAppHandler(app: NodeListener, caller: string): Handler {
  const builtins = nodeBuiltins(caller);
  const statusCodes = builtins.http.STATUS_CODES;
  return function bridged(request: Request): Response | Promise<Response> {
    const ctx = context(request);
    const exchange = untouchedExchange(request);
    if (exchange !== undefined) {
      return runDirect(app, request, ctx, exchange.incoming, exchange.outgoing, statusCodes);
    }
    return runBridged(app, request, ctx, builtins);
  };
}
