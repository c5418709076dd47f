/**
 * The light `Response` the Node adapter of `serve()` installs as the global
 * (light_globals.ts explains why): it keeps the status, headers and body as
 * given, so the adapter writes a string or bytes body straight to the socket;
 * anything else a caller touches (`body`, `text()`, `clone()`, …) builds
 * Node's own Response first, so behaviour is Node's.
 *
 * @module
 */
import { BODY_METHODS, delegate } from "./delegate.ts";
import { BODY_LENGTH } from "../internal/body_length.ts";
import { isNullBodyStatus } from "../internal/http.ts";
import { PREPARED_RESPONSE, type PreparedAnswer, preparedHeaders } from "../internal/prepared.ts";

const NativeResponse = globalThis.Response;
const hasInstance = Function.prototype[Symbol.hasInstance];

/** The parts of a light Response the Node adapter writes directly. */
export interface LightParts {
  status: number;
  statusText: string;
  /** The headers, once someone asked for them (or the constructor got some). */
  headers: Headers | undefined;
  /** Content-Type to send when `headers` was never created. */
  contentType: string | undefined;
  body: string | Uint8Array | ReadableStream<Uint8Array> | null;
  /** Set once the Node adapter wrote the body: a body can be sent once, as with Node's own Response. */
  sent?: boolean;
  /** Builds the headers on first use, for a record whose headers are rarely read ({@linkcode LightResponse.record}). */
  lazyHeaders?: () => Headers;
  /** The answer it was made from ({@linkcode LightResponse.prepared}): written from its encoded head while `headers` is unread. */
  prepared?: PreparedAnswer;
}

const TEXT = "text/plain;charset=UTF-8";
const JSON_TYPE = "application/json";
/** RFC 9110 reason-phrase. */
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The parts of a plain construction, or `undefined` when Node's Response must
 * judge it (unusual bodies, init values needing WebIDL conversion, errors).
 */
function partsOf(body: unknown, init: unknown, defaultType: string): LightParts | undefined {
  let value: LightParts["body"];
  let contentType: string | undefined;
  if (body === undefined || body === null) value = null;
  else if (typeof body === "string") {
    value = body;
    contentType = defaultType;
  } else if (body instanceof Uint8Array) value = body;
  else if (body instanceof ArrayBuffer) value = new Uint8Array(body);
  else if (body instanceof ReadableStream && !body.locked) value = body;
  else return undefined;
  let status = 200;
  let statusText = "";
  let headers: Headers | undefined;
  if (init !== undefined && init !== null) {
    if (typeof init !== "object") return undefined;
    // Read once each, in WebIDL's dictionary order.
    const given = init as ResponseInit;
    const initHeaders = given.headers;
    const initStatus = given.status;
    const initStatusText = given.statusText;
    if (initStatus !== undefined) {
      if (typeof initStatus !== "number" || !Number.isInteger(initStatus) || initStatus < 200 || initStatus > 599) {
        return undefined;
      }
      status = initStatus;
    }
    if (initStatusText !== undefined) {
      if (typeof initStatusText !== "string" || !REASON.test(initStatusText)) return undefined;
      statusText = initStatusText;
    }
    if (initHeaders !== undefined) {
      headers = new Headers(initHeaders);
      if (contentType !== undefined && !headers.has("content-type")) headers.set("content-type", contentType);
    }
  }
  if (value !== null && isNullBodyStatus(status)) return undefined;
  return { status, statusText, headers, contentType, body: value };
}

/**
 * A Response that keeps what it was given until something needs Node's own.
 */
export class LightResponse {
  #parts: LightParts | undefined;
  #real: Response | undefined = undefined;
  /** For a record: the outgoing message its head was already written to (it outlives `#parts`). */
  #sentOn: object | undefined = undefined;
  /** The body's length once Node's own Response holds it (a Blob's size, or what the parts had). */
  #knownLength: number | undefined = undefined;

  static [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses of the installed global keep ordinary instanceof.
    return this === LightResponse ? value instanceof NativeResponse : hasInstance.call(this, value);
  }

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    this.#parts = partsOf(body, init, TEXT);
    // Node's Response throws the exact error, or handles the unusual body.
    if (this.#parts === undefined) {
      this.#real = new NativeResponse(body, init);
      if (body instanceof Blob) this.#knownLength = body.size;
    }
  }

  /**
   * The body's length in bytes, known from what the constructor was given (a
   * string, bytes, a Blob, none), for the logger and the profiler; `undefined`
   * for a stream.
   */
  [BODY_LENGTH](): number | undefined {
    // A record's body went out from the Node app itself: only its own Content-Length tells.
    if (this.#sentOn !== undefined) return undefined;
    const parts = this.#parts;
    return parts === undefined ? this.#knownLength : lengthOf(parts.body);
  }

  /** `Response.json()`, kept light. */
  static json(data: unknown, init?: ResponseInit): Response {
    const text = JSON.stringify(data);
    if (text === undefined) return NativeResponse.json(data, init);
    const response = new LightResponse();
    response.#parts = partsOf(text, init, JSON_TYPE);
    if (response.#parts === undefined) response.#real = NativeResponse.json(data, init);
    return response as unknown as Response;
  }

  /**
   * A Response made from a prepared answer (src/internal/prepared.ts), with
   * no Headers until someone reads them: the Node adapter writes it from the
   * answer's own head block.
   */
  static [PREPARED_RESPONSE](answer: PreparedAnswer): Response {
    const response = new LightResponse();
    response.#parts = {
      status: answer.status,
      statusText: "",
      headers: undefined,
      contentType: undefined,
      body: answer.body,
      lazyHeaders: () => preparedHeaders(answer),
      prepared: answer,
    };
    return response as unknown as Response;
  }

  get status(): number {
    return this.#parts?.status ?? this.#real!.status;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status < 300;
  }

  get statusText(): string {
    return this.#parts?.statusText ?? this.#real!.statusText;
  }

  get headers(): Headers {
    const parts = this.#parts;
    if (parts === undefined) return this.#real!.headers;
    if (parts.headers === undefined) {
      parts.headers = parts.lazyHeaders ? parts.lazyHeaders() : new Headers();
      if (parts.contentType !== undefined) parts.headers.set("content-type", parts.contentType);
    }
    return parts.headers;
  }

  get type(): ResponseType {
    return this.#parts ? "default" : this.#real!.type;
  }

  get url(): string {
    return this.#parts ? "" : this.#real!.url;
  }

  get redirected(): boolean {
    return this.#parts ? false : this.#real!.redirected;
  }

  get bodyUsed(): boolean {
    const parts = this.#parts;
    return parts ? parts.sent === true && parts.body !== null : this.#real!.bodyUsed;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return LightResponse.toReal(this).body;
  }

  /**
   * The parts to write directly; `undefined` for a Response that is not light,
   * or whose real Response exists (then that one is read).
   */
  static partsOf(response: unknown): LightParts | undefined {
    return typeof response === "object" && response !== null && #parts in response ? response.#parts : undefined;
  }

  /** Node's Response with the same status, headers and body, built once. */
  static toReal(response: LightResponse): Response {
    const parts = response.#parts;
    if (parts !== undefined) {
      const headers = response.headers;
      const used = parts.sent === true && parts.body !== null;
      response.#knownLength = lengthOf(parts.body);
      response.#parts = undefined;
      response.#real = new NativeResponse(used ? "" : parts.body as BodyInit | null, {
        status: parts.status,
        statusText: parts.statusText,
        headers,
      });
      // Its body went to a client already: reading it again fails as Node's would.
      if (used) void response.#real.arrayBuffer();
    }
    return response.#real!;
  }

  /**
   * A body-less record of a head already written to `sentOn` by other means
   * (a Node app writing to the socket itself), its headers built only if
   * someone reads them. The Node adapter writes nothing for it.
   */
  static record(status: number, sentOn: object, headers: () => Headers = () => new Headers()): Response {
    const response = new LightResponse();
    response.#parts = {
      status,
      statusText: "",
      headers: undefined,
      contentType: undefined,
      body: null,
      lazyHeaders: headers,
    };
    response.#sentOn = sentOn;
    return response as unknown as Response;
  }

  /** Where a {@linkcode LightResponse.record}'s head was already written; `undefined` for any other Response. */
  static sentOn(response: unknown): object | undefined {
    return typeof response === "object" && response !== null && #sentOn in response ? response.#sentOn : undefined;
  }
}

/** The length in bytes of a light body; `undefined` for a stream. */
function lengthOf(body: LightParts["body"]): number | undefined {
  if (body === null) return 0;
  if (typeof body === "string") return Buffer.byteLength(body);
  return body instanceof Uint8Array ? body.byteLength : undefined;
}

const responsePrototype = LightResponse.prototype;
delegate(responsePrototype, LightResponse.toReal, BODY_METHODS);
Object.defineProperty(responsePrototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: LightResponse) {
    return `Response (fetchkit, lightweight) ${JSON.stringify({ status: this.status })}`;
  },
});
// Statics (`error`, `redirect`) and everything else come from Node's Response.
Object.setPrototypeOf(LightResponse, NativeResponse);
Object.setPrototypeOf(LightResponse.prototype, NativeResponse.prototype);
