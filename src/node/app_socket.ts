/**
 * fromNode's general bridge, the socket: a `Duplex` standing where the
 * network would, under the runtime's genuine `IncomingMessage` and
 * `ServerResponse` (Express swaps their prototypes, so nothing can be put on
 * a subclass of them). What `res` serializes to it is read back into a Fetch
 * Response ({@linkcode ResponseReader}); the request body is fed to `req` by
 * an own `_read`, which survives the prototype swap.
 *
 * The `Duplex` itself is only a shell ({@linkcode bridgeSocketClass}, built
 * from the runtime's `node:stream` on first use, so nothing here imports a
 * `node:` module statically); the exchange's logic is the plain
 * {@linkcode BridgedExchange}.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { pass } from "../pass.ts";
import { errorResponse, errorStatus } from "./app_errors.ts";
import { HIGH_WATER_MARK, type ReaderSocket, ResponseReader } from "./app_response.ts";
import type { NodeBuiltins } from "./builtins.ts";
import type { MountedRequest } from "./express.ts";
import { textResponse } from "../internal/body_length.ts";

const kExchange = Symbol("fetchkit bridged exchange");

/** The app's `req`, with the exchange feeding its body. */
export interface BridgedRequest extends MountedRequest {
  [kExchange]?: BridgedExchange;
}

/** The bridge socket: a `Duplex` whose peer is a {@linkcode BridgedExchange}. */
export interface BridgeSocket extends Duplex {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  encrypted?: boolean;
  readonly exchange: BridgedExchange;
}

type BridgeSocketClass = new (request: Request, statusCodes: StatusCodes) => BridgeSocket;
type StatusCodes = Record<number, string | undefined>;

let socketClass: BridgeSocketClass | undefined;

/** The socket class, built once per process from the runtime's `node:stream`. */
export function bridgeSocketClass({ stream }: NodeBuiltins): BridgeSocketClass {
  return socketClass ??= defineSocketClass(stream.Duplex);
}

function defineSocketClass(Base: typeof Duplex): BridgeSocketClass {
  return class extends Base implements BridgeSocket {
    remoteAddress: string | undefined = undefined;
    remotePort: number | undefined = undefined;
    readonly exchange: BridgedExchange;
    #timer: ReturnType<typeof setTimeout> | undefined;

    constructor(request: Request, statusCodes: StatusCodes) {
      super({ highWaterMark: HIGH_WATER_MARK, allowHalfOpen: true });
      this.exchange = new BridgedExchange(this, request, statusCodes);
    }

    override _read(): void {
      // The request body reaches `req` directly, never through the socket.
    }

    override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
      this.exchange.reader.write(chunk, callback);
    }

    override _final(callback: () => void): void {
      this.exchange.reader.end();
      callback();
      // Node's server emits 'close' on `res` once it finished; destroying the socket does the same here.
      queueMicrotask(() => this.destroy());
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      clearTimeout(this.#timer);
      this.exchange.tornDown(error);
      // No error is re-emitted: nobody listens on this socket, and an unheard 'error' would crash the process.
      callback();
    }

    setTimeout(ms: number, callback?: () => void): this {
      if (callback) this.once("timeout", callback);
      clearTimeout(this.#timer);
      if (ms > 0) this.#timer = setTimeout(() => this.emit("timeout"), ms);
      return this;
    }
    setNoDelay(): this {
      return this;
    }
    setKeepAlive(): this {
      return this;
    }
    ref(): this {
      return this;
    }
    unref(): this {
      return this;
    }
  };
}

/**
 * One request through the bridge: the app's `req` and `res` on a
 * {@linkcode BridgeSocket}, the request body pumped into `req`, the
 * Response read from what `res` writes, and Connect's `next`, a thrown
 * error and the client's disconnect turned into the right answer.
 */
export class BridgedExchange implements ReaderSocket {
  readonly reader: ResponseReader = new ResponseReader(this);
  #socket: BridgeSocket;
  #request: Request;
  #statusCodes: StatusCodes;
  #req!: BridgedRequest;
  #res!: ServerResponse;
  #signal: AbortSignal | undefined;
  #body: RequestBodyPump | undefined;
  #onAbort = () => this.abort();

  constructor(socket: BridgeSocket, request: Request, statusCodes: StatusCodes) {
    this.#socket = socket;
    this.#request = request;
    this.#statusCodes = statusCodes;
  }

  /** The app's objects, and the client's disconnect signal. */
  attach(req: BridgedRequest, res: ServerResponse, signal: AbortSignal): void {
    this.#req = req;
    this.#res = res;
    this.#signal = signal;
    res.once("finish", endSocket);
    this.#socket.on("drain", forwardDrain);
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Lets `req` read the Request's body, pulled only when the app reads. */
  feedBody(req: BridgedRequest): void {
    req[kExchange] = this;
    req._read = readBody;
  }

  /** One more read of the request body into `req`. */
  pumpBody(): void {
    (this.#body ??= new RequestBodyPump(this.#request.body!, this.#req)).pump();
  }

  /** Connect's `next`, after the app declined (no argument) or failed. */
  next(error?: unknown): void {
    if (this.reader.settled || this.reader.headRead || this.#res.headersSent) {
      if (error !== undefined && error !== null) console.error(error);
      return;
    }
    if (error === undefined || error === null || error === "route" || error === "router") this.reader.settle(pass());
    else this.fail(error);
    this.#finish();
  }

  /** The app threw or rejected. */
  fail(error: unknown): void {
    const status = errorStatus(error);
    if (status >= 500) console.error(error);
    if (this.reader.settled || this.reader.headRead) return void this.#socket.destroy();
    this.reader.settle(errorResponse(this.#statusCodes, status));
    this.#finish();
  }

  /** The client went away (or stopped reading the body): what Node's server does when its socket closes early. */
  abort(reason?: unknown): void {
    if (this.reader.ended || this.#socket.destroyed) return;
    const req = this.#req;
    // `destroy()` on an incomplete request emits 'aborted' then 'close', as on a real disconnect.
    if (!req.destroyed) req.destroy();
    this.#socket.destroy(reason instanceof Error ? reason : undefined);
  }

  badHead(): void {
    this.reader.settle(this.#badGateway());
    this.#finish();
  }

  /** The socket is destroyed: unless the response was complete, the app destroyed it or the client left. */
  tornDown(error: Error | null): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (!this.reader.ended) {
      const reason = error ?? new Error("the Node app closed the connection before finishing the response");
      this.reader.broke(reason, () => this.#badGateway());
      this.#body?.cancel(reason);
    }
    this.reader.unblock();
  }

  isHeadRequest(): boolean {
    return this.#req.method === "HEAD";
  }

  allWritten(): boolean {
    return this.#res.writableEnded && this.#socket.writableLength === 0;
  }

  /** The answer is out: nothing more is read, and the socket goes. */
  #finish(): void {
    this.reader.ended = true;
    this.#socket.destroy();
  }

  #badGateway(): Response {
    return textResponse(`${this.#statusCodes[502] ?? "Error"}\n`, { status: 502 });
  }
}

/** The request body, from the Fetch body into `req`: one read in flight, only while `req` wants more. */
class RequestBodyPump {
  #body: ReadableStream<Uint8Array>;
  #req: BridgedRequest;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #reading = false;

  constructor(body: ReadableStream<Uint8Array>, req: BridgedRequest) {
    this.#body = body;
    this.#req = req;
  }

  pump(): void {
    if (this.#reading) return;
    this.#reading = true;
    this.#reader ??= this.#body.getReader();
    this.#reader.read().then((step) => this.#push(step), (error: unknown) => this.#failed(error));
  }

  cancel(reason: unknown): void {
    this.#reader?.cancel(reason).catch(() => {});
  }

  #push({ done, value }: ReadableStreamReadResult<Uint8Array>): void {
    this.#reading = false;
    const req = this.#req;
    if (req.destroyed) return;
    if (done) {
      req.complete = true;
      req.push(null);
    } else if (value.byteLength === 0 || req.push(value)) {
      // Below the high-water mark: keep filling without waiting for the next `_read`.
      this.pump();
    }
  }

  #failed(error: unknown): void {
    this.#reading = false;
    if (!this.#req.destroyed) this.#req.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

let kNeedDrain: symbol | null | undefined;

// Node's HTTP server, not ServerResponse, turns its socket's 'drain' into the
// response's: without it `res.write() === false` waits forever (`req.pipe(res)`).
function forwardDrain(this: BridgeSocket): void {
  const res = (this as unknown as { _httpMessage?: ServerResponse & Record<symbol, boolean> })._httpMessage;
  if (!res || res.writableEnded) return;
  // The flag is internal; found once by its name, so `writableNeedDrain` reads false again.
  kNeedDrain ??= Object.getOwnPropertySymbols(res).find((key) => key.description === "kNeedDrain") ?? null;
  if (kNeedDrain) {
    if (!res[kNeedDrain]) return;
    res[kNeedDrain] = false;
  }
  res.emit("drain");
}

function endSocket(this: ServerResponse): void {
  this.socket?.end();
}

// Shared by every bridged request (an own property survives Express's prototype swap).
function readBody(this: BridgedRequest): void {
  this[kExchange]!.pumpBody();
}
