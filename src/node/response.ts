/**
 * Fetch `Response` → `ServerResponse`: the one writer, for serve's Node
 * adapter and for `toNode`. The body streams with backpressure and stops when
 * the client goes away (a file behind it is closed); a body that is already
 * whole (a string, bytes, a one-chunk stream) goes out with one `end()` and a
 * Content-Length. How the head is written is the caller's
 * ({@linkcode HeadWriter}): serve's adapter owns its `res`, `toNode` shares
 * one with Express.
 *
 * This is the hot path of every request on fetchkit's Node server: a light
 * Response with a whole body is written without a single promise.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { plainResponse } from "../internal/http.ts";
import { drainOrClose } from "./drain.ts";
import { isSentOn } from "./exchange.ts";
import { type LightParts, LightResponse } from "./light_response.ts";
import { writePrepared } from "./prepared_write.ts";

/** How a writer puts the head of a Response on its `ServerResponse`. */
export interface HeadWriter {
  /** Whether nothing can be written to `res` any more: the body is then only cancelled. */
  closed(res: ServerResponse): boolean;
  /** Writes the status line and `head`, a flat `[name, value, …]` list. */
  writeHead(res: ServerResponse, status: number, statusText: string | undefined, head: string[]): void;
  /** Told when the client left while the body streamed (serve names the route of a later stray error). */
  onCut?(request: Request): void;
  /** `res` is the writer's alone: a prepared answer may go out from its encoded head (prepared_write.ts). */
  ownsResponse?: boolean;
}

/** A light Response whose body is already whole. */
type WholeParts = LightParts & { body: string | Uint8Array | null };

/**
 * Writes `response`, the answer to `request` (`req` in Node's terms), to
 * `res`; returns nothing when it was written at once, a promise while its
 * body streams.
 */
export function writeResponse(
  response: Response,
  request: Request,
  req: IncomingMessage,
  res: ServerResponse,
  how: HeadWriter,
): Promise<void> | void {
  // Already written by the app itself (fromNode's direct path): nothing left to write.
  if (isSentOn(response, res)) return;
  const light = LightResponse.partsOf(response);
  if (light === undefined) {
    // `Response.error()` (status 0) is a network error: no status line can say it, so it is a 500.
    if (response.status === 0) {
      return writeResponse(failed("handler returned Response.error(), answered 500"), request, req, res, how);
    }
    return writeStreamed(response.status, response.statusText, response.headers, response.body, request, req, res, how);
  }
  if (light.body !== null) {
    // The same Response object returned twice: Node's own would fail on its used body too.
    if (light.sent) {
      return writeResponse(failed("a Response was returned after its body was already sent"), request, req, res, how);
    }
    light.sent = true;
  }
  // A cached answer whose headers nobody read (so nobody changed): its head block is ready.
  const prepared = light.prepared;
  if (prepared !== undefined && light.headers === undefined && how.ownsResponse && writePrepared(prepared, req, res)) {
    return;
  }
  if (light.body instanceof ReadableStream) {
    return writeStreamed(light.status, light.statusText, light.headers, light.body, request, req, res, how);
  }
  return writeWhole(light as WholeParts, req, res, how);
}

/** Logs why a Response cannot be written; the plain 500 sent instead. */
function failed(reason: string): Response {
  console.error(new TypeError(reason));
  return plainResponse(500, "Internal Server Error");
}

/** serve's Node adapter: `res` is its own, the head is written in one call. */
export const OWN_HEAD: HeadWriter = {
  closed: (res) => res.destroyed,
  ownsResponse: true,
  writeHead: (res, status, statusText, head) => void res.writeHead(status, statusText, head),
};

/**
 * `toNode`: headers go through `setHeader`, so those an Express app set
 * before are kept unless the Response names them (several `Set-Cookie` as
 * one list), and the head goes out with the first write, through whatever
 * `writeHead` Express middleware patched in.
 */
export const SHARED_HEAD: HeadWriter = {
  closed: (res) => res.headersSent || res.destroyed,
  writeHead(res, status, statusText, head) {
    let cookies: string[] | undefined;
    for (let i = 0; i < head.length; i += 2) {
      if (head[i] === "set-cookie") (cookies ??= []).push(head[i + 1]);
      else res.setHeader(head[i], head[i + 1]);
    }
    if (cookies) res.setHeader("set-cookie", cookies);
    res.statusCode = status;
    if (statusText) res.statusMessage = statusText;
  },
};

function flatHeaders(headers: Headers): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  return flat;
}

/** Writes a light Response whose body is already whole (a string, bytes or none): one `end()`. */
function writeWhole(parts: WholeParts, req: IncomingMessage, res: ServerResponse, how: HeadWriter): void {
  if (how.closed(res)) return;
  const { body } = parts;
  const headers = parts.headers ?? parts.lazyHeaders?.();
  const head = headers !== undefined
    ? flatHeaders(headers)
    : parts.contentType
    ? ["content-type", parts.contentType]
    : [];
  if (body !== null && (headers === undefined || !headers.has("content-length"))) {
    head.push("content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength));
  }
  how.writeHead(res, parts.status, parts.statusText || undefined, head);
  if (body === null || req.method === "HEAD") res.end();
  else res.end(body);
}

/**
 * A body chunk as bytes: strings are sent as UTF-8 (Bun accepts them, and a
 * stream of strings is a common mistake that must not corrupt the head), any
 * other buffer source is viewed as bytes; `undefined` for what cannot be sent.
 */
function chunkBytes(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  return undefined;
}

function badChunk(chunk: unknown): TypeError {
  const what = chunk === null
    ? "null"
    : typeof chunk === "object"
    ? `an object (${chunk.constructor?.name})`
    : typeof chunk;
  return new TypeError(`a response body stream produced ${what}, not bytes or a string`);
}

const NOT_YET_VALUE = Symbol("not yet");
/** Settled already, so `Promise.race([read, NOT_YET])` tells whether the read was. */
const NOT_YET = Promise.resolve(NOT_YET_VALUE);

/** Whether `read` is settled already, as the end of the stream. */
async function endsAtOnce(read: Promise<ReadableStreamReadResult<unknown>>): Promise<boolean> {
  const settled = await Promise.race([read, NOT_YET]);
  return settled !== NOT_YET_VALUE && (settled as ReadableStreamReadResult<unknown>).done;
}

async function cancelQuietly(body: ReadableStream | null, reason?: unknown): Promise<void> {
  await body?.cancel(reason).catch(() => {});
}

/** Writes a Response whose body may be a stream: a head and a body of none, one chunk, or many. */
async function writeStreamed(
  status: number,
  reason: string,
  headers: Headers | undefined,
  body: ReadableStream<Uint8Array> | null,
  request: Request,
  req: IncomingMessage,
  res: ServerResponse,
  how: HeadWriter,
): Promise<void> {
  if (how.closed(res)) return await cancelQuietly(body);
  const head = headers === undefined ? [] : flatHeaders(headers);
  const statusText = reason || undefined;
  if (body === null || req.method === "HEAD") {
    how.writeHead(res, status, statusText, head);
    res.end();
    return await cancelQuietly(body);
  }
  const reader = body.getReader();
  const first = await readFirst(reader, res, how);
  if (first === undefined) return;
  if (first.done) {
    how.writeHead(res, status, statusText, head);
    return void res.end();
  }
  // A body made from a string or bytes is one chunk and an already-closed
  // stream: if the next read is settled at once, send it whole with a
  // Content-Length (one buffer, no chunked framing). A real stream is not
  // held back: whatever is pending, the first chunk goes out now.
  const next = reader.read();
  if (await endsAtOnce(next)) {
    if (!headers?.has("content-length")) head.push("content-length", String(first.bytes.byteLength));
    how.writeHead(res, status, statusText, head);
    return void res.end(first.bytes);
  }
  await pump(reader, first.bytes, next, request, res, how, () => how.writeHead(res, status, statusText, head));
}

/**
 * The first chunk of the body, or `undefined` when reading it failed: nothing
 * is sent yet, so a failed or malformed body is still answered an honest 500.
 */
async function readFirst(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
  how: HeadWriter,
): Promise<{ done: true } | { done: false; bytes: Uint8Array } | undefined> {
  try {
    const step = await reader.read();
    if (step.done) return { done: true };
    const bytes = chunkBytes(step.value);
    if (bytes === undefined) throw badChunk(step.value);
    return { done: false, bytes };
  } catch (error) {
    console.error(error);
    void reader.cancel(error).catch(() => {});
    how.writeHead(res, 500, undefined, ["content-type", "text/plain; charset=utf-8"]);
    res.end("Internal Server Error\n");
    return undefined;
  }
}

/** Streams a body: the head (`sendHead`), `first`, then every chunk as fast as `res` drains. */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
  next: Promise<ReadableStreamReadResult<Uint8Array>>,
  request: Request,
  res: ServerResponse,
  how: HeadWriter,
  sendHead: () => void,
): Promise<void> {
  // From here on the client may leave at any await: listen before the first one,
  // or a stream that never produces again would hang the writer and leak its source.
  let closed = false;
  const onClose = () => {
    closed = true;
    // The app may go on enqueueing into the cancelled stream and throw outside any request.
    how.onCut?.(request);
    void reader.cancel(new Error("client disconnected")).catch(() => {});
  };
  res.once("close", onClose);
  if (res.destroyed) onClose();
  try {
    sendHead();
    res.write(first);
    let step = await next;
    while (!step.done && !closed) {
      const bytes = chunkBytes(step.value);
      if (bytes === undefined) throw badChunk(step.value);
      if (!res.write(bytes) && !closed) await drainOrClose(res);
      if (closed) return;
      step = await reader.read();
    }
    if (!closed) res.end();
  } catch (error) {
    // The head is out: the only honest signal left is closing the connection.
    if (!closed) {
      console.error(error);
      void reader.cancel(error).catch(() => {});
    }
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}
