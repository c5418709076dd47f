/**
 * fromNode's general bridge, reading side: the bytes a Node app's
 * `ServerResponse` writes to the bridge socket (an HTTP/1.1 head, then the
 * body) become a Fetch Response, read as a client would. A response finished
 * in the tick it started (`res.send`) becomes a plain byte body; anything
 * longer streams, the app's writes held back while the consumer is not
 * reading.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { isNullBodyStatus } from "../internal/http.ts";
import { ChunkedDecoder } from "./chunked.ts";
import { concatBytes } from "../internal/bytes.ts";

const CRLFCRLF = "\r\n\r\n";
/** How much of the body is buffered before the app's writes are held back. */
export const HIGH_WATER_MARK = 64 * 1024;

/**
 * The headers that describe the virtual connection between the app and the
 * bridge (its framing and keep-alive), not the message: dropped from the
 * Response. Narrower than HOP_BY_HOP (src/internal/http.ts), which a proxy
 * drops when forwarding: here `Proxy-Authenticate` (a 407 from an app that is
 * itself a proxy) and `Upgrade` (a 426) are the app's own answer and pass on.
 */
const CONNECTION_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "proxy-connection",
  "te",
  "trailer",
]);

/** A final response head, as `ServerResponse` serialized it. */
export interface ResponseHead {
  status: number;
  statusText: string;
  /** The message's headers, names in lower case, connection headers left out. */
  headers: [string, string][];
  /** The app asked for chunked framing itself (Node then applied it). */
  chunked: boolean;
  /** The app gave a Content-Length. */
  hasLength: boolean;
}

/** Parses the text of a head (everything before its blank line). */
export function parseHead(text: string): ResponseHead {
  const head: ResponseHead = {
    status: Number(text.slice(9, 12)),
    statusText: "",
    headers: [],
    chunked: false,
    hasLength: false,
  };
  let lineEnd = text.indexOf("\r\n");
  head.statusText = text.slice(13, lineEnd < 0 ? text.length : lineEnd);
  while (lineEnd >= 0) {
    const start = lineEnd + 2;
    lineEnd = text.indexOf("\r\n", start);
    const line = lineEnd < 0 ? text.slice(start) : text.slice(start, lineEnd);
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    // Node writes `name: value`; a value is never empty of its leading space.
    const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    if (CONNECTION_HEADERS.has(name)) {
      if (name === "transfer-encoding" && /chunked/i.test(value)) head.chunked = true;
      continue;
    }
    if (name === "content-length") head.hasLength = true;
    head.headers.push([name, value]);
  }
  return head;
}

/** What the reader needs of the socket it reads for. */
export interface ReaderSocket {
  /** The request was a HEAD: its response has no body whatever the app wrote. */
  isHeadRequest(): boolean;
  /** `res` ended and nothing waits in the socket's own buffer. */
  allWritten(): boolean;
  /** The consumer cancelled the body: tear the exchange down, as when a client leaves. */
  abort(reason?: unknown): void;
  /** The head cannot be a Response: answer a bad gateway and end the exchange. */
  badHead(): void;
}

/** Turns the serialized response into a Fetch Response, as the bytes arrive. */
export class ResponseReader {
  /** The Response, once its head is read. */
  readonly response: Promise<Response>;
  /** `res` finished and every byte reached the socket. */
  ended = false;
  #socket: ReaderSocket;
  #resolve!: (response: Response) => void;
  #settled = false;
  #partialHead: Buffer | undefined;
  #head: ResponseHead | undefined;
  #chunked: ChunkedDecoder | undefined;
  /** Body bytes written before the Response was handed out. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** The write callback held back while the consumer is not reading (backpressure). */
  #blocked: (() => void) | undefined;

  constructor(socket: ReaderSocket) {
    this.#socket = socket;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** The final head was read (interim 1xx heads are skipped). */
  get headRead(): boolean {
    return this.#head !== undefined;
  }

  /** Whether the Response has been handed out. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Takes bytes the app wrote; `callback` once it may write more. */
  write(chunk: Buffer, callback: () => void): void {
    let body: Uint8Array | undefined = chunk;
    if (this.#head === undefined) body = this.#readHead(chunk);
    if (body === undefined || body.byteLength === 0 || this.#discardsBody()) return callback();
    if (this.#chunked) {
      body = concatChunks(this.#chunked.push(body));
      if (body.byteLength === 0) return callback();
    }
    const controller = this.#controller;
    if (controller === undefined) {
      this.#pending.push(body);
      this.#pendingBytes += body.byteLength;
      // Until the Response is out, hold the writer back past the high-water mark too.
      if (this.#pendingBytes < HIGH_WATER_MARK) callback();
      else this.#blocked = callback;
      return;
    }
    controller.enqueue(body);
    if ((controller.desiredSize ?? 1) > 0) callback();
    else this.#blocked = callback;
  }

  /** `res` ended: close the body, or answer 500 for an app that ended without any head. */
  end(): void {
    this.ended = true;
    if (this.#controller) this.#close();
    else if (!this.#settled && this.#head === undefined) this.settle(new Response(null, { status: 500 }));
  }

  /** The socket was torn down before the response was complete: fail the body, answer `fallback` if none is out. */
  broke(reason: Error, fallback: () => Response): void {
    if (this.#controller) {
      try {
        this.#controller.error(reason);
      } catch { /* already closed */ }
    }
    this.settle(fallback());
  }

  /** Hands out `response`, once. */
  settle(response: Response): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(response);
  }

  /** Lets the app write again. */
  unblock(): void {
    const callback = this.#blocked;
    this.#blocked = undefined;
    callback?.();
  }

  /** Reads the response head from the first bytes; returns the body bytes after it. */
  #readHead(chunk: Buffer): Buffer | undefined {
    const bytes = this.#partialHead ? concatBuffers(this.#partialHead, chunk) : chunk;
    const end = bytes.indexOf(CRLFCRLF, 0, "latin1");
    if (end < 0) {
      this.#partialHead = bytes;
      return undefined;
    }
    this.#partialHead = undefined;
    const head = parseHead(bytes.toString("latin1", 0, end));
    const rest = bytes.subarray(end + 4);
    // 100 Continue, 103 Early Hints: Fetch has no interim responses; the final head follows.
    if (head.status < 200) return rest.byteLength > 0 ? this.#readHead(rest) : undefined;
    if (head.chunked) this.#chunked = new ChunkedDecoder();
    this.#head = head;
    // Most apps end the response in the same tick (`res.send`): wait one microtask
    // and hand out the whole body as bytes, with no stream at all.
    queueMicrotask(() => this.#respond());
    return rest;
  }

  #discardsBody(): boolean {
    return isNullBodyStatus(this.#head!.status) || this.#socket.isHeadRequest();
  }

  #respond(): void {
    if (this.#settled) return;
    try {
      this.settle(this.#makeResponse());
    } catch (error) {
      // What Node accepts and Fetch does not (a status above 599): a bad gateway, not a crash.
      console.error(error);
      this.#socket.badHead();
    }
  }

  #makeResponse(): Response {
    const head = this.#head!;
    const init = { status: head.status, statusText: head.statusText, headers: head.headers };
    if (this.#discardsBody()) return new Response(null, init);
    const pending = this.#pending;
    this.#pending = [];
    // Complete only if every byte already reached `write` (none waits in the socket's buffer).
    if (this.ended || (this.#socket.allWritten() && this.#blocked === undefined)) {
      const body = concatChunks(pending);
      if (!head.hasLength) head.headers.push(["content-length", String(body.byteLength)]);
      return new Response(body as Uint8Array<ArrayBuffer>, init);
    }
    return new Response(this.#stream(pending), init);
  }

  /** The body as a stream: what was written so far, then each write as it comes. */
  #stream(pending: Uint8Array[]): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const chunk of pending) controller.enqueue(chunk);
        this.#controller = controller;
        if (this.ended) this.#close();
      },
      pull: () => this.unblock(),
      cancel: (reason) => {
        this.#controller = undefined;
        this.#socket.abort(reason);
      },
    }, { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength });
  }

  #close(): void {
    try {
      this.#controller?.close();
    } catch { /* cancelled meanwhile */ }
  }
}

function concatBuffers(a: Buffer, b: Buffer): Buffer {
  return (a.constructor as typeof Buffer).concat([a, b]);
}

/** One view of `chunks` (Buffers over ArrayBuffers, never shared memory): the chunk itself when there is one. */
export function concatChunks(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  return concatBytes(chunks);
}
