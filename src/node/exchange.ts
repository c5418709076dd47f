/**
 * One request's Node objects, and the handshake through which fromNode's
 * direct path hands them to a Node app on fetchkit's own Node server.
 *
 * Why a handshake: copying a request into a second `IncomingMessage` and
 * parsing the app's serialized answer back is most of what `fromNode` costs.
 * When the Request is still exactly what the server received, the app can
 * be given the server's own `req` and `res` instead; the server must then
 * write nothing for the Response it gets back. Both sides meet here, so
 * neither knows the other's internals.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LightRequest } from "./light_request.ts";
import { LightResponse } from "./light_response.ts";

/**
 * The Node objects of one request, as handlers find them in
 * `context(request).runtimeArgs[0]` (on fetchkit's Node server, and under
 * `toNode`). Over HTTP/2 they are `node:http2`'s compatibility objects
 * (`Http2ServerRequest`, `Http2ServerResponse`), typed as their HTTP/1 kin.
 *
 * On fetchkit's Node server it is also one side of the fast path, in three steps:
 * 1. The server's Node adapter builds a light Request that holds the exchange
 *    ({@linkcode lightRequest} in request.ts).
 * 2. fromNode asks {@linkcode untouchedExchange}: while the Request is still as
 *    it arrived (no body, headers never read, no real Request built), the app
 *    runs on `incoming` and `outgoing` and writes to the client itself; the
 *    Response it answers is a {@linkcode sentRecord} of the head it sent.
 * 3. The adapter's writer asks {@linkcode isSentOn} and writes nothing for
 *    such a Response: its head, and its body, are already on the wire.
 */
export interface NodeExchange {
  /** The request as Node parsed it. */
  incoming: IncomingMessage;
  /** The response to it, the client's connection behind it. */
  outgoing: ServerResponse;
}

/**
 * Step 2: the exchange behind `request` while it is still exactly as the
 * server received it, so a Node app may be given those objects instead of
 * copies; `undefined` for any other Request.
 */
export function untouchedExchange(request: Request): NodeExchange | undefined {
  return LightRequest.untouchedNative(request) as NodeExchange | undefined;
}

/**
 * Step 2's answer: a body-less Response recording a head already written to
 * `outgoing` by the app itself, its headers built only when someone reads
 * them (outer middleware logging or measuring it).
 */
export function sentRecord(outgoing: ServerResponse, status: number, headers?: () => Headers): Response {
  return LightResponse.record(status, outgoing, headers);
}

/** Step 3: whether `response` is a {@linkcode sentRecord} of what went out on `outgoing`. */
export function isSentOn(response: Response, outgoing: ServerResponse): boolean {
  return LightResponse.sentOn(response) === outgoing;
}
