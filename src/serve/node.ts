/**
 * Node adapter: `node:http` with a Fetch bridge of our own (IncomingMessage to
 * Request, Response to ServerResponse), streaming both ways with backpressure.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bindContext } from "../context.ts";
import type { Handler } from "../handler.ts";
import type { AdapterInput, AdapterServer } from "./types.ts";

/** Serves with `node:http`. */
export function serveNode(input: AdapterInput): Promise<AdapterServer> {
  const server = createServer((req, res) => void respond(input, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(input.port, input.hostname, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        runtime: "node",
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

/** Builds the Fetch Request for a Node request; `undefined` when its URL is unusable. */
export function toRequest(req: IncomingMessage, signal: AbortSignal, fallbackHost: string): Request | undefined {
  const host = req.headers.host ?? fallbackHost;
  let url: string;
  try {
    url = new URL(req.url ?? "/", `http://${host}`).href;
  } catch {
    return undefined;
  }
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    body: hasBody ? readableFrom(req) : null,
    signal,
    // @ts-ignore: `duplex` is required by Node's fetch for streaming bodies but missing from the DOM types.
    duplex: "half",
  });
}

/** A byte stream over a Node readable, pulling only when the consumer wants more. */
function readableFrom(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.destroy();
    },
  }, { highWaterMark: 16 * 1024, size: (chunk) => chunk.byteLength });
}

async function respond(input: AdapterInput, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const aborter = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort(new Error("client disconnected"));
  });
  const request = toRequest(req, aborter.signal, `${input.hostname}:${input.port}`);
  if (!request) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("Bad Request: invalid URL or Host\n");
    return;
  }
  bindContext(request, {
    remoteAddr: req.socket.remoteAddress
      ? { hostname: req.socket.remoteAddress, port: req.socket.remotePort ?? 0 }
      : undefined,
    runtimeArgs: [{ incoming: req, outgoing: res }],
    waitUntil: input.track,
    signal: aborter.signal,
  });
  await writeResponse(await callHandler(input.handler, request), res, aborter.signal);
}

async function callHandler(handler: Handler, request: Request): Promise<Response> {
  try {
    const response = await handler(request);
    if (response instanceof Response) return response;
    console.error(new TypeError(`handler returned ${typeof response}, not a Response`));
  } catch (error) {
    console.error(error);
  }
  return new Response("Internal Server Error\n", { status: 500, headers: { "content-type": "text/plain" } });
}

/** Writes a Fetch Response to a Node ServerResponse, streaming the body with backpressure. */
export async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const head: string[] = [];
  for (const [name, value] of response.headers) head.push(name, value);
  res.writeHead(response.status, response.statusText || undefined, head);
  const body = response.body;
  if (body === null || res.req.method === "HEAD") {
    res.end();
    await body?.cancel();
    return;
  }
  const reader = body.getReader();
  const stop = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resume) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resume();
          };
          res.on("drain", go).on("close", go);
        });
        if (signal.aborted) return;
      }
    }
    res.end();
  } catch (error) {
    // The headers are out: the only honest signal left is closing the connection.
    if (!signal.aborted) console.error(error);
    res.destroy();
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
