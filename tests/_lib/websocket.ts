/**
 * A WebSocket client for tests: the runtime's own global `WebSocket` (Deno,
 * Bun, Node ≥ 22), with what it received queued, so a test awaits the next
 * message or the close instead of wiring callbacks.
 */

/** How a socket ended. */
export interface Closed {
  code: number;
  reason: string;
}

/** An open client socket. */
export interface TestSocket {
  socket: WebSocket;
  /** The agreed subprotocol. */
  protocol: string;
  /** The next message (text as a string, binary as bytes); rejects if the socket closes first. */
  next(ms?: number): Promise<string | Uint8Array>;
  /** Resolves once the socket closed. */
  closed: Promise<Closed>;
}

/** `http://…` as the `ws://…` URL of `path` on it. */
export function wsUrl(base: URL | string, path = "/"): string {
  return new URL(path, base).href.replace(/^http/, "ws");
}

/** Connects and waits for the handshake; rejects when it fails (the close or error comes first). */
export function connect(url: string, protocols?: string | string[], ms = 10_000): Promise<TestSocket> {
  const socket = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
  return opened(socket, url, ms);
}

/**
 * {@linkcode connect} to a `wss://` URL whose certificate `ca` (PEM text) signed, with the `ws` package
 * (the runtimes' own clients trust only what the process trusts, so tests of those run in a subprocess).
 */
export async function connectTrusting(url: string, ca: string, ms = 10_000): Promise<TestSocket> {
  const { WebSocket: Client } = await import("ws");
  const socket = new Client(url, { ca });
  socket.on("error", () => {}); // heard as the close
  return opened(socket as unknown as WebSocket, url, ms);
}

function opened(socket: WebSocket, url: string, ms: number): Promise<TestSocket> {
  socket.binaryType = "arraybuffer";
  const queue: (string | Uint8Array)[] = [];
  const waiting: (() => void)[] = [];
  let ended: Closed | undefined;
  const wake = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  socket.addEventListener("message", (event) => {
    const data = event.data;
    queue.push(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
    wake();
  });
  const closed = new Promise<Closed>((resolve) =>
    socket.addEventListener("close", (event) => {
      ended = { code: event.code, reason: event.reason };
      resolve(ended);
      wake();
    })
  );
  const next = async (wait = 10_000): Promise<string | Uint8Array> => {
    const deadline = Date.now() + wait;
    while (queue.length === 0) {
      if (ended) throw new Error(`socket closed (${ended.code} ${ended.reason}) before a message`);
      if (Date.now() > deadline) throw new Error("no message in time");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        timer = setTimeout(resolve, deadline - Date.now());
      });
      clearTimeout(timer);
    }
    return queue.shift()!;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no handshake with ${url} in ${ms} ms`));
    }, ms);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve({ socket, protocol: socket.protocol, next, closed });
    });
    void closed.then((how) => {
      clearTimeout(timer);
      reject(new Error(`handshake with ${url} failed: closed ${how.code} ${how.reason}`));
    });
  });
}

/** A promise and its resolve, for what a server handler reports to the test. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
