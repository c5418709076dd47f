/**
 * `IncomingMessage` → Fetch `Request`, streaming the body with backpressure.
 * Written for {@linkcode toNode}; the `node:http` serve adapter could share it.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";

/**
 * Builds the Fetch Request for a Node request; `undefined` when its URL or Host
 * is unusable. `req.url` is taken as the path (Express shows a mounted
 * middleware the path below its mount); a body already read by a body parser
 * is gone and becomes an empty body.
 */
export function requestFromNode(req: IncomingMessage, signal: AbortSignal): Request | undefined {
  const scheme = (req.socket as { encrypted?: boolean } | null)?.encrypted ? "https" : "http";
  const host = req.headers.host ?? req.headers[":authority"] ?? localHost(req);
  let url: string;
  try {
    url = new URL(req.url ?? "/", `${scheme}://${host}`).href;
  } catch {
    return undefined;
  }
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    // HTTP/2 pseudo-headers (`:path`) are not header fields.
    if (raw[i].charCodeAt(0) !== 58) headers.append(raw[i], raw[i + 1]);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" && !req.readableEnded;
  return new Request(url, {
    method,
    headers,
    body: hasBody ? bodyStream(req) : null,
    signal,
    // @ts-ignore: `duplex` is required by Node's fetch for streaming bodies but missing from the DOM types.
    duplex: "half",
  });
}

function localHost(req: IncomingMessage): string {
  const address = req.socket?.localAddress ?? "localhost";
  const port = req.socket?.localPort;
  const shown = address.includes(":") ? `[${address}]` : address;
  return port ? `${shown}:${port}` : shown;
}

/** A byte stream over a Node readable, pulling only while the consumer wants more. */
export function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
      req.once("aborted", () => controller.error(new Error("the client aborted the request body")));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.destroy();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}
