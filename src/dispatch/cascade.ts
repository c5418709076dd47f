/**
 * `cascade()`: try handlers in turn until one does not decline, Paste's
 * `Cascade` for Fetch handlers.
 *
 * @module
 */

import { type Handler, type HandlerLike, toHandler } from "../handler.ts";
import { attempts } from "./match.ts";
import { isPass, pass } from "../pass.ts";
import { isResponse } from "../internal/is_response.ts";

/**
 * Tries each handler in the order given; the first response that is not a
 * {@linkcode pass} is the answer, and when all decline the cascade answers
 * `pass()` itself. Order matters here by design (patterns overlap, unlike
 * prefixes): list the specific ones first. A {@linkcode match} that does not
 * match is skipped without being called.
 *
 * @example Images to one handler, the rest to the app
 * ```ts
 * import { cascade, match } from "@fetchkit/core";
 * const site = cascade(
 *   match(/\.(jpg|gif|png)$/, () => new Response("image")),
 *   () => new Response("page"),
 * );
 * await (await site(new Request("http://localhost/logo.png"))).text(); // "image"
 * ```
 */
export function cascade(...handlers: HandlerLike[]): Handler {
  const steps: Step[] = handlers.map((handler, index) => {
    const direct = toHandler(handler, `cascade: handler ${index}`);
    return attempts.get(direct) ?? direct;
  });
  return (request) => run(steps, request, 0);
}

/** A handler, or a matcher's attempt (`undefined` when it does not match). */
type Step = (request: Request) => Response | Promise<Response> | undefined;

/** Tries steps from `from` on; synchronous while the steps answer synchronously. */
function run(steps: Step[], request: Request, from: number): Response | Promise<Response> {
  for (let index = from; index < steps.length; index++) {
    const result = steps[index](request);
    if (result === undefined) continue;
    if (!isResponse(result)) return settle(steps, request, index, result);
    if (!isPass(result)) return result;
  }
  return pass();
}

async function settle(steps: Step[], request: Request, index: number, pending: Promise<Response>): Promise<Response> {
  const response = await pending;
  return isPass(response) ? run(steps, request, index + 1) : response;
}
