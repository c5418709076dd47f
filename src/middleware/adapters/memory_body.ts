/**
 * The body of a Response when it is a string or bytes held in memory, read
 * without building a stream: on Node, serve() installs a light Response that
 * keeps what it was given (src/node/light_response.ts), so `compress` can
 * compress such a body in one synchronous call and answer with its length.
 * Deno and Bun expose no such body: there this answers `undefined`.
 *
 * @module
 */
import { LightResponse } from "../../node/light_response.ts";

/** Bodies compressed in one synchronous step at most: a larger one is streamed, so other requests run meanwhile. */
const IN_PLACE_MAX = 1024 * 1024;

/** The in-memory body of `response` (up to 1 MiB), or `undefined` when it must be streamed. */
export function memoryBody(response: Response): string | Uint8Array | undefined {
  const parts = LightResponse.partsOf(response);
  if (parts === undefined || parts.sent === true) return undefined;
  const body = parts.body;
  if (typeof body === "string") return body.length <= IN_PLACE_MAX / 3 ? body : undefined; // ≤ 3 UTF-8 bytes each
  return body instanceof Uint8Array && body.byteLength <= IN_PLACE_MAX ? body : undefined;
}
