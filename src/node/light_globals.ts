/**
 * Lighter global `Response`, `Request` and `fetch` for Node, installed by the
 * Node adapter of `serve()` (unless `overrideGlobals: false`).
 *
 * Why replace globals: on Node, `new Response("hi")` builds an undici object
 * with a web stream behind it (about 7 µs measured, as much as node:http's
 * whole answer to a hello world), and reading it back costs as much again. A
 * handler written for every runtime calls the global `Response`, so the only
 * way to spare it that cost is the global itself. `LightResponse` keeps the
 * status, headers and body as given, and the Node adapter writes a string or
 * bytes body straight to the socket; anything else a caller touches (`body`,
 * `text()`, `clone()`, …) builds the undici Response first, so behaviour is
 * Node's own. `@hono/node-server` made the same trade by default.
 *
 * `instanceof Response` and `instanceof Request` stay true for the native
 * objects and the light ones alike; `new Request(light)` and `fetch(light)`
 * unwrap a light Request to its real one.
 *
 * @module
 */
import { LightRequest } from "./light_request.ts";
import { LightResponse } from "./light_response.ts";

const NativeRequest = globalThis.Request;
const nativeFetch = globalThis.fetch;
const hasInstance = Function.prototype[Symbol.hasInstance];

/** The global `Request`: Node's, except that a light Request given as input is unwrapped first. */
class UnwrappingRequest extends NativeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    if (LightRequest.is(input)) {
      // A copy follows its input's signal, which for a light Request is the client's disconnect.
      if (init === undefined) init = { signal: input.signal };
      else if (Object.getPrototypeOf(init) === Object.prototype && !("signal" in init)) {
        init = { ...init, signal: input.signal };
      }
    }
    super(unwrap(input), init);
  }
}

Object.defineProperty(UnwrappingRequest, Symbol.hasInstance, {
  value(this: unknown, value: unknown): boolean {
    return this === UnwrappingRequest ? value instanceof NativeRequest : hasInstance.call(this, value);
  },
});

function unwrap<T>(input: T): T | Request {
  return LightRequest.is(input) ? LightRequest.toReal(input) : input;
}

/** The global `fetch`: Node's, accepting a light Request. */
function unwrappingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return nativeFetch(unwrap(input), init);
}

let installed = false;

/** Installs the light `Response` and the unwrapping `Request` and `fetch` as globals, once. */
export function installLightGlobals(): void {
  if (installed) return;
  installed = true;
  const global = globalThis as unknown as Record<string, unknown>;
  global.Response = LightResponse;
  global.Request = UnwrappingRequest;
  global.fetch = unwrappingFetch;
}
