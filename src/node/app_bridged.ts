/**
 * fromNode's general bridge: the app gets the runtime's own
 * `IncomingMessage` and `ServerResponse` on a bridge socket
 * (app_socket.ts), fed from the Request and read back into a Response as it
 * writes. No real socket, no HTTP parser round trip for the request.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestContext } from "../context.ts";
import { setMountedUrls } from "./express.ts";
import { type BridgedRequest, type BridgeSocket, bridgeSocketClass } from "./app_socket.ts";
import type { NodeBuiltins } from "./builtins.ts";
import type { NodeListener } from "./types.ts";

/** Runs `app` on copies of `request` made for it; resolves with the Response it writes. */
export function runBridged(
  app: NodeListener,
  request: Request,
  ctx: RequestContext,
  builtins: NodeBuiltins,
): Promise<Response> {
  const Socket = bridgeSocketClass(builtins);
  const socket = new Socket(request, builtins.http.STATUS_CODES);
  const remote = ctx.remoteAddr;
  if (remote) {
    socket.remoteAddress = remote.hostname;
    socket.remotePort = remote.port;
  }
  if (request.url.startsWith("https:")) socket.encrypted = true;
  const req = bridgedIncoming(builtins.http.IncomingMessage, socket, request, ctx);
  const res = bridgedOutgoing(builtins.http.ServerResponse, socket, req);
  const { exchange } = socket;
  const signal = ctx.signal;
  exchange.attach(req, res, signal);
  try {
    const result = app(req, res, (error) => exchange.next(error));
    if (result instanceof Promise) result.catch((error) => exchange.fail(error));
  } catch (error) {
    exchange.fail(error);
  }
  if (signal.aborted) exchange.abort();
  return exchange.reader.response;
}

/** The app's `req`: method, Express's URLs, HTTP/1.1, the headers and the body of `request`. */
function bridgedIncoming(
  Incoming: typeof IncomingMessage,
  socket: BridgeSocket,
  request: Request,
  ctx: RequestContext,
): BridgedRequest {
  const req = new Incoming(socket as never) as BridgedRequest;
  req.method = request.method;
  setMountedUrls(req, request, ctx);
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = "1.1";
  const { headers, raw } = nodeHeaders(request);
  if (request.body === null) {
    req.complete = true;
    req.push(null);
  } else {
    // Body parsers look for one of these before reading (HTTP/2 requests carry neither).
    if (headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) {
      headers["transfer-encoding"] = "chunked";
      raw.push("transfer-encoding", "chunked");
    }
    socket.exchange.feedBody(req);
  }
  req.headers = headers as IncomingMessage["headers"];
  req.rawHeaders = raw;
  return req;
}

/** `request`'s headers as Node keeps them (`headers` and `rawHeaders`), with a Host from its URL when it has none. */
function nodeHeaders(request: Request): { headers: Record<string, string | string[]>; raw: string[] } {
  const headers: Record<string, string | string[]> = {};
  const raw: string[] = [];
  for (const [name, value] of request.headers) {
    raw.push(name, value);
    headers[name] = value;
  }
  if (headers.host === undefined) {
    const authority = new URL(request.url).host;
    headers.host = authority;
    raw.push("host", authority);
  }
  return { headers, raw };
}

/** The app's `res`, writing raw bytes to the bridge socket. */
function bridgedOutgoing(Outgoing: typeof ServerResponse, socket: BridgeSocket, req: BridgedRequest): ServerResponse {
  const res = new Outgoing(req);
  res.sendDate = false;
  // Raw bytes, not chunked framing, unless the app asks for it (then it is unframed on reading);
  // a complete body gets its Content-Length when the Response is made.
  res.useChunkedEncodingByDefault = false;
  res.assignSocket(socket as never);
  return res;
}
