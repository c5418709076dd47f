/**
 * A whole answer known before the request (a cached file's 200, its 304, a
 * small 206 of it), handed from the part that knows it (serveStatic) to the
 * server that writes it, through the core so neither imports the other.
 *
 * Why: building a Fetch Response and its Headers for bytes that were known
 * all along is most of what such an answer costs on Node (undici validates
 * and sorts every header, twice: once into the Response, once back out). A
 * Response class may offer to make a Response straight from the answer
 * ({@linkcode PREPARED_RESPONSE}): fetchkit's light Response on its own Node
 * server does, and writes the answer from a head block encoded once. Every
 * other runtime and server gets an ordinary Response with the same status,
 * headers and body.
 *
 * @module
 */

/** The header fields an answer shares with others of its kind, and a server's own encoding of them. */
export interface PreparedHead {
  /** Header fields, never mutated; a `content-length` here must be the body's length (Node writes that one). */
  readonly fields: Readonly<Record<string, string>>;
  /** What a server made of `fields` once, to reuse for every answer (Node: its raw head block). */
  encoded?: unknown;
}

/** A whole answer: status, shared head, this answer's own extra fields and its body. */
export interface PreparedAnswer {
  readonly status: number;
  readonly head: PreparedHead;
  /** Fields of this answer only, after the head's: `[name, value, …]`, names in lower case. */
  readonly extra: readonly string[] | undefined;
  /** The whole body, never mutated; `null` for none (a 304). */
  readonly body: Uint8Array<ArrayBuffer> | null;
  /** What a server made of `extra` once, for an answer kept and written again (Node: its header lines). */
  encoded?: unknown;
}

/**
 * The name of the static method by which a Response class makes a Response
 * from a {@linkcode PreparedAnswer}: `Response[PREPARED_RESPONSE](answer)`.
 *
 * @example
 * ```ts
 * import { PREPARED_RESPONSE } from "./prepared.ts";
 * const offers = typeof (Response as unknown as Record<symbol, unknown>)[PREPARED_RESPONSE] === "function";
 * ```
 */
export const PREPARED_RESPONSE: unique symbol = Symbol.for("fetchkit.preparedResponse");

type PreparingClass = { [PREPARED_RESPONSE]?: (answer: PreparedAnswer) => Response };

/**
 * The Response of `answer`: the global Response class's own when it offers
 * one, else an ordinary `new Response`.
 *
 * @example
 * ```ts
 * import { preparedResponse } from "./prepared.ts";
 * const head = { fields: { "content-type": "text/plain", "content-length": "2" } };
 * const response = preparedResponse({ status: 200, head, extra: undefined, body: new TextEncoder().encode("hi") });
 * ```
 */
export function preparedResponse(answer: PreparedAnswer): Response {
  const make = (globalThis.Response as unknown as PreparingClass)[PREPARED_RESPONSE];
  if (make !== undefined) return make(answer);
  return new Response(answer.body, { status: answer.status, headers: fieldsOf(answer) });
}

/** The fields of `answer` as one record: a record is what Deno and Node build a Response from fastest. */
function fieldsOf(answer: PreparedAnswer): Record<string, string> {
  const extra = answer.extra;
  if (extra === undefined) return answer.head.fields;
  const fields: Record<string, string> = { ...answer.head.fields };
  for (let i = 0; i + 1 < extra.length; i += 2) fields[extra[i]] = extra[i + 1];
  return fields;
}

/**
 * The Headers of `answer`: its head's fields, then its extra ones.
 *
 * @example
 * ```ts
 * import { preparedHeaders } from "./prepared.ts";
 * const head = { fields: { etag: '"1"' } };
 * preparedHeaders({ status: 304, head, extra: ["vary", "Accept"], body: null }).get("vary"); // "Accept"
 * ```
 */
export function preparedHeaders(answer: PreparedAnswer): Headers {
  const headers = new Headers(answer.head.fields);
  const extra = answer.extra;
  if (extra !== undefined) { for (let i = 0; i + 1 < extra.length; i += 2) headers.set(extra[i], extra[i + 1]); }
  return headers;
}
