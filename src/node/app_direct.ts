/**
 * `fromNode`'s short way on fetchkit's own Node server: when the Request is
 * still exactly what the server received (no body, headers untouched), the
 * app gets the server's real `IncomingMessage` and `ServerResponse` and writes
 * to the client itself, as on `node:http` directly: no copies, no second HTTP
 * serialisation. Express-correct `url`, `baseUrl` and `originalUrl` are set on
 * the real `req` as in the general bridge.
 *
 * What the handler chain gets back, once the app sends its head, is a Response
 * recording that head (status and headers, no body) and the `res` it was sent
 * on ({@linkcode sentRecord}), so the Node adapter writes nothing:
 * outer middleware can log and measure it, but headers it adds to that
 * Response can no longer reach the client.
 *
 * @module
 */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RequestContext } from "../context.ts";
import { pass } from "../pass.ts";
import { type MountedRequest, setMountedUrls } from "./express.ts";
import { sentRecord } from "./exchange.ts";
import type { NodeListener } from "./types.ts";
import { errorResponse, errorStatus } from "./app_errors.ts";

/** The head `res` is sending, as a body-less record of what was sent on it. */
function sentHead(res: ServerResponse, given: unknown[]): Response {
  const status = res.statusCode >= 200 && res.statusCode <= 599 ? res.statusCode : 500;
  // Read now: Node keeps no map of what writeHead was given.
  const extra = given.find((arg) => typeof arg === "object" && arg !== null);
  return sentRecord(res, status, () => headersOf(res, extra));
}

/** The headers of a sent head: those set on `res`, and those given to `writeHead`. */
function headersOf(res: ServerResponse, extra: unknown): Headers {
  const headers = new Headers();
  const add = (name: string, value: unknown) => {
    if (Array.isArray(value)) { for (const item of value) headers.append(name, String(item)); }
    else if (value !== undefined) headers.append(name, String(value));
  };
  try {
    for (const [name, value] of Object.entries(res.getHeaders())) add(name, value);
    if (Array.isArray(extra)) {
      if (Array.isArray(extra[0])) { for (const [name, value] of extra as [string, unknown][]) add(name, value); }
      else for (let i = 0; i + 1 < extra.length; i += 2) add(String(extra[i]), extra[i + 1]);
    } else if (extra) {
      for (const [name, value] of Object.entries(extra as OutgoingHttpHeaders)) add(name, value);
    }
  } catch {
    // A header Node accepted and Fetch does not: the record stays partial, the client got it all.
  }
  return headers;
}

/**
 * Runs `app` on the server's own `req` and `res`; answers once its head is
 * sent: synchronously when the app sent it within its call (`res.send`), so
 * the handler chain above stays free of promises, as for a plain handler.
 */
export function runDirect(
  app: NodeListener,
  request: Request,
  ctx: RequestContext,
  req: MountedRequest,
  res: ServerResponse,
  statusCodes: Record<number, string | undefined>,
): Response | Promise<Response> {
  setMountedUrls(req, request, ctx);
  let answer: Response | undefined;
  let deliver: ((response: Response) => void) | undefined;
  const settle = (response: Response) => {
    if (answer !== undefined) return;
    answer = response;
    if (deliver !== undefined) {
      res.off("close", onClose);
      deliver(response);
    }
  };
  // Gone before any head: there is nothing left to write (the general bridge records 502 too).
  const onClose = () => settle(sentRecord(res, 502));
  // An own property, so it survives Express swapping the prototype of `res`;
  // `res.end()` without an explicit head comes through here too.
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const result = (writeHead as (...args: unknown[]) => ServerResponse).apply(this, args);
    if (answer === undefined) settle(sentHead(this, args.slice(1)));
    return result;
  } as ServerResponse["writeHead"];
  const fail = (error: unknown) => {
    const status = errorStatus(error);
    if (status >= 500) console.error(error);
    if (answer !== undefined || res.headersSent) {
      res.destroy();
      return settle(sentRecord(res, status));
    }
    settle(errorResponse(statusCodes, status));
  };
  const next = (error?: unknown) => {
    if (answer !== undefined || res.headersSent) {
      if (error !== undefined && error !== null) console.error(error);
      return;
    }
    if (error === undefined || error === null || error === "route" || error === "router") settle(pass());
    else fail(error);
  };
  try {
    const result = app(req, res, next);
    if (result instanceof Promise) result.catch(fail);
  } catch (error) {
    fail(error);
  }
  if (answer !== undefined) return answer;
  return new Promise<Response>((resolve) => {
    deliver = resolve;
    // A client can only leave while the app waits: listen from here on.
    res.once("close", onClose);
    if (res.destroyed) onClose();
  });
}
