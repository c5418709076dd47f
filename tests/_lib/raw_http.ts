/**
 * Raw HTTP over TCP, for tests where a Fetch client would normalise or refuse
 * the input (a bad Host) or hide how a connection ended (a clean FIN or a
 * reset): a one-shot exchange read until the server closes, and a keep-alive
 * connection that collects what the server sends. Works on Node, Deno and Bun.
 */
import { connect, type Socket } from "node:net";
/** What the server answered: the status code and the whole response as text. */
export interface RawExchange {
  status: number;
  /** Status line, head and body as received (a chunked body keeps its framing). */
  text: string;
}

/** Sends `request` (a complete head, ending in a blank line) to 127.0.0.1:`port`; the server must close after it. */
export function exchange(port: number, request: string, ms = 10_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.setTimeout(ms, () => socket.destroy(new Error(`no complete answer to ${JSON.stringify(request)}`)));
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Uint8Array) => (text += new TextDecoder("latin1").decode(chunk)));
    socket.on("error", reject);
    socket.on("close", () => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (status === null) {
        reject(new Error(`no status line in ${JSON.stringify(text)} for ${JSON.stringify(request)}`));
      } else resolve({ status: Number(status[1]), text });
    });
  });
}

/** `GET target` over HTTP/1.1 with these header lines (`Host` is not added) and `Connection: close`. */
export function get(port: number, target: string, headerLines: string[]): Promise<RawExchange> {
  const head = [`GET ${target} HTTP/1.1`, ...headerLines, "Connection: close"];
  return exchange(port, head.join("\r\n") + "\r\n\r\n");
}

/** How a connection ended, as the client saw it. */
export type Ending = "open" | "end" | "reset";

/** One raw connection. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far (latin1). */
  received(): string;
  /** Forgets what was received so far (before the next request). */
  clear(): void;
  /** "end" once the server's FIN arrived (and no error came), "reset" on ECONNRESET or any socket error. */
  ending(): Ending;
  /** The error code, when the connection ended with one. */
  error(): string | undefined;
  /** Milliseconds from connecting to the end of the connection (FIN or error). */
  endedAt(): number | undefined;
  /** Resolves once the connection is closed. */
  closed: Promise<void>;
  write(text: string): void;
  /** Resolves true once `test(received)` holds, false after `ms` or when the connection closes first. */
  until(test: (received: string) => boolean, ms?: number): Promise<boolean>;
  destroy(): void;
}

/**
 * Opens a connection. `allowHalfOpen`: after the server's FIN the client keeps
 * its side open for `lingerMs`, so a reset that follows the FIN is still seen.
 */
export function rawConnection(port: number, lingerMs = 200): RawConnection {
  const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  const started = Date.now();
  let received = "";
  let ending: Ending = "open";
  let error: string | undefined;
  let endedAt: number | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  socket.on("data", (chunk: Uint8Array) => {
    received += new TextDecoder("latin1").decode(chunk);
    wake();
  });
  socket.on("end", () => {
    if (ending === "open") ending = "end";
    endedAt ??= Date.now() - started;
    setTimeout(() => socket.destroy(), lingerMs);
    wake();
  });
  socket.on("error", (cause: Error & { code?: string }) => {
    ending = "reset";
    error = cause.code ?? cause.message;
    endedAt ??= Date.now() - started;
    wake();
  });
  const closed = new Promise<void>((done) =>
    socket.once("close", () => {
      endedAt ??= Date.now() - started;
      done();
      wake();
    })
  );
  return {
    socket,
    received: () => received,
    clear: () => void (received = ""),
    ending: () => ending,
    error: () => error,
    endedAt: () => endedAt,
    closed,
    write: (text) => void socket.write(text),
    until(test, ms = 5000) {
      return new Promise((done) => {
        const timer = setTimeout(() => finish(false), ms);
        const check = () => {
          if (test(received)) finish(true);
          else if (socket.destroyed) finish(false);
        };
        const finish = (value: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          done(value);
        };
        waiters.add(check);
        check();
      });
    },
    destroy: () => socket.destroy(),
  };
}

/** Whether `text` holds one complete HTTP response (head, and a body by Content-Length or chunked framing). */
export function isCompleteResponse(text: string): boolean {
  const headEnd = text.indexOf("\r\n\r\n");
  if (headEnd === -1) return false;
  const head = text.slice(0, headEnd);
  const body = text.slice(headEnd + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return body.length >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return /(?:^|\r\n)0\r\n\r\n$/.test(body);
  return /^HTTP\/1\.1 (?:1\d\d|204|304)/.test(head);
}

/** Blocks the thread for `ms` (sub-millisecond steps that timers cannot give). */
export function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* spin */ }
}

/**
 * One raw HTTP/1.1 connection to `url`'s host: write bytes, collect what
 * comes back (as latin1 text), wait for a pattern, and see how it ended.
 */
export function rawSocket(url: URL) {
  const socket: Socket = connect(Number(url.port), url.hostname);
  let received = "";
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  socket.on("data", (chunk) => {
    received += chunk.toString("latin1");
    wake();
  });
  const ended = new Promise<"end" | "reset">((done) => {
    socket.once("error", () => done("reset"));
    socket.once("close", () => done("end"));
  });
  void ended.then(wake);
  return {
    socket,
    ended,
    received: () => received,
    write: (data: string | Uint8Array) => new Promise<void>((done) => socket.write(data, () => done())).catch(() => {}),
    until(pattern: RegExp, ms = 5000): Promise<boolean> {
      return new Promise((done) => {
        const timer = setTimeout(() => finish(false), ms);
        const check = () => pattern.test(received) && finish(true);
        const finish = (value: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          done(value);
        };
        waiters.add(check);
        void ended.then(() => finish(pattern.test(received)));
        check();
      });
    },
    close: () => socket.destroy(),
  };
}
