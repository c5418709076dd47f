/**
 * One raw HTTP exchange: the request is written byte-for-byte (a Fetch client
 * would normalise or refuse a bad Host), then everything the server sends is
 * read until it closes. Works on Node, Deno and Bun.
 */
import { connect } from "node:net";

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
