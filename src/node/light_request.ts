/**
 * The Request the Node adapter hands to handlers: URL, method and headers read
 * straight from the parsed request, and Node's own (undici) Request built only
 * when something needs it (the body, `clone()`, a rarely used field).
 *
 * Why: constructing undici's Request validates and copies everything, which
 * is a large share of a small request's cost on Node, while most handlers
 * only ever read `url`, `method` and a header or two. The prototype chain ends
 * in `Request.prototype`, so `instanceof Request` holds; `new Request(light)`
 * and `fetch(light)` go through the global wrappers in light_globals.ts, which
 * unwrap it to the real one.
 *
 * Why `headers` switches to the real Request's Headers once it exists: the real
 * one is built with a copy of ours and is what `new Request(light)` and
 * `fetch(light)` send, so from then on there must be one Headers, not two.
 *
 * @module
 */
import { BODY_METHODS, delegate } from "./delegate.ts";
import { RAW_HEADERS } from "../internal/raw_headers.ts";

/** How to build what the light Request defers. */
export interface LightRequestSource {
  /** Raw header list as `[name, value, name, value, …]` (Node's `rawHeaders`). */
  rawHeaders: readonly string[];
  /** Creates the body stream; `undefined` for a request without a body. */
  body: (() => ReadableStream<Uint8Array>) | undefined;
  /** Creates the disconnect signal, on first use. */
  signal: () => AbortSignal;
  /** The runtime's own objects for this request, for {@linkcode LightRequest.untouchedNative}. */
  native?: unknown;
}

/** The runtime's Request, captured before any global replacement. */
const NativeRequest = globalThis.Request;

/** A Request whose undici object is built on first need. */
export class LightRequest {
  #url: string;
  #method: string;
  #source: LightRequestSource;
  #headers: Headers | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;
  #real: Request | undefined = undefined;

  constructor(url: string, method: string, source: LightRequestSource) {
    this.#url = url;
    this.#method = method;
    this.#source = source;
  }

  get url(): string {
    return this.#url;
  }

  get method(): string {
    return this.#method;
  }

  get headers(): Headers {
    if (this.#real !== undefined) return this.#real.headers;
    if (this.#headers === undefined) {
      const raw = this.#source.rawHeaders;
      const headers = new Headers();
      // HTTP/2 pseudo-headers (`:path`) are not header fields.
      for (let i = 0; i < raw.length; i += 2) if (raw[i].charCodeAt(0) !== 58) headers.append(raw[i], raw[i + 1]);
      this.#headers = headers;
    }
    return this.#headers;
  }

  /** Node's raw list while no Headers were built from it (src/internal/raw_headers.ts). */
  get [RAW_HEADERS](): readonly string[] | undefined {
    return this.#headers === undefined && this.#real === undefined ? this.#source.rawHeaders : undefined;
  }

  get signal(): AbortSignal {
    return this.#signal ??= this.#source.signal();
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real === undefined && this.#source.body === undefined) return null;
    return toReal(this).body;
  }

  get bodyUsed(): boolean {
    return this.#real !== undefined && this.#real.bodyUsed;
  }

  /** The undici Request, built once with this request's URL, method, headers and body. */
  static toReal(light: LightRequest): Request {
    if (light.#real === undefined) {
      const body = light.#source.body;
      const init: RequestInit & { duplex?: "half" } = { method: light.#method, headers: light.headers };
      if (body !== undefined) {
        init.body = body();
        init.duplex = "half";
      }
      light.#real = new NativeRequest(light.#url, init);
    }
    return light.#real;
  }

  /**
   * The runtime's own request objects while the Request is still exactly as it
   * arrived (no body, headers never handed out, no real Request made), so a
   * Node app may be given those instead of copies; otherwise `undefined`.
   */
  static untouchedNative(value: unknown): unknown {
    if (!LightRequest.is(value)) return undefined;
    const untouched = value.#real === undefined && value.#headers === undefined && value.#source.body === undefined;
    return untouched ? value.#source.native : undefined;
  }

  /** Whether `value` is a light Request (a brand check, not `instanceof`). */
  static is(value: unknown): value is LightRequest {
    return typeof value === "object" && value !== null && #url in value;
  }
}

const toReal = LightRequest.toReal;

// The rest of Request's interface answers from the real Request.
const prototype = LightRequest.prototype;
delegate(prototype, toReal, BODY_METHODS, [
  "cache",
  "credentials",
  "destination",
  "duplex",
  "integrity",
  "isHistoryNavigation",
  "isReloadNavigation",
  "keepalive",
  "mode",
  "redirect",
  "referrer",
  "referrerPolicy",
]);
Object.defineProperty(prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: LightRequest) {
    return `Request (fetchkit, lightweight) ${JSON.stringify({ method: this.method, url: this.url })}`;
  },
});
Object.setPrototypeOf(LightRequest.prototype, NativeRequest.prototype);
