/**
 * Showing a mounted app another `url` (or `headers`) on the SAME Request.
 *
 * Why not `new Request(strippedUrl, request)`: a copy is a different object,
 * so Deno's `upgradeWebSocket` and Bun's `server.upgrade` no longer recognise
 * it, the body is consumed from the original, and the per-request context
 * (keyed by the Request) is lost. An own data property shadows the prototype's
 * getter instead; the runtime's internal state (body, signal, upgrade slot) is
 * untouched.
 *
 * Why the property stays (holding the original value again) instead of being
 * deleted: `Object.defineProperty` is a slow path in every engine (0.2 to
 * 0.7 µs measured) and deleting it again costs as much, while assigning to an
 * existing writable own property is a plain store. So a Request gets one
 * definition on its first mount; nested mounts and every restore are stores.
 * Once restored, the own value equals what the getter answers, so nothing
 * observable changes (`request.clone()` and `new Request(request)` read the
 * internal URL either way).
 *
 * @module
 */

type Shadowed = "url" | "headers";

// One descriptor object reused for every definition: no allocation per request.
const descriptor: PropertyDescriptor = { value: undefined, configurable: true, enumerable: false, writable: true };

/** Shows `value` as `request[key]` and returns the value it hides, for {@linkcode unshadow}. */
export function shadow<K extends Shadowed>(request: Request, key: K, value: Request[K]): Request[K] {
  const previous = request[key];
  if (Object.hasOwn(request, key)) {
    (request as { [P in K]: Request[K] })[key] = value;
  } else {
    descriptor.value = value;
    Object.defineProperty(request, key, descriptor);
    descriptor.value = undefined;
  }
  return previous;
}

/** Puts back the value {@linkcode shadow} hid. */
export function unshadow<K extends Shadowed>(request: Request, key: K, previous: Request[K]): void {
  (request as { [P in K]: Request[K] })[key] = previous;
}
