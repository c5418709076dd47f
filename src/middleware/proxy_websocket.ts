/**
 * The proxy's WebSocket half: the upstream's handshake first (so the client
 * is answered with the subprotocol the upstream agreed on, or a 502 when it
 * refused), then the client's, then every message relayed as it is, both
 * ways, and each side's close passed to the other with its code and reason.
 *
 * @module
 */
import { offeredProtocols, upgradeWebSocket, type WebSocketUpgrade } from "../websocket.ts";
import { openUpstreamSocket, type UpstreamSocketRequest } from "./adapters/upstream_websocket.ts";

export { UpstreamSocketError } from "./adapters/upstream_websocket.ts";

const OPEN = 1;
const CLOSING = 2;

/** The WebSocket URL of an http(s) or ws(s) target. */
export function webSocketUrl(target: string): string {
  return target.replace(/^http(s?):/, "ws$1:");
}

/**
 * Passes a close on: 1005 (no code given) as a close without code, 1006 and
 * 1015 (never sent on the wire: the connection broke) as 1011; a code the
 * runtime will not send from this side (a strict client allows only 1000
 * and 3000–4999) becomes 1000 with the same reason.
 */
function relayClose(to: WebSocket, code: number, reason: string): void {
  if (to.readyState >= CLOSING) return;
  const wanted = code === 1005 ? undefined : code === 1006 || code === 1015 ? 1011 : code;
  try {
    if (wanted === undefined) to.close();
    else to.close(wanted, reason);
  } catch {
    try {
      to.close(1000, reason);
    } catch {
      to.close();
    }
  }
}

/** Sends what `from` receives to `to` (`early`: what it received already), queued while `to` is not open yet. */
function relayMessages(from: WebSocket, to: WebSocket, early: unknown[] = []): void {
  let queue: unknown[] | undefined = early;
  if (to.readyState === OPEN) {
    for (const data of early) to.send(data as string);
    queue = undefined;
  } else {
    to.addEventListener("open", () => {
      for (const data of queue!) to.send(data as string);
      queue = undefined;
    }, { once: true });
  }
  from.addEventListener("message", (event) => {
    if (queue !== undefined) queue.push(event.data);
    else if (to.readyState === OPEN) to.send(event.data);
  });
  from.addEventListener("close", (event) => relayClose(to, event.code, event.reason));
}

/**
 * Forwards the WebSocket handshake `request` to `target` and relays the
 * connection; throws an `UpstreamSocketError` when the upstream's handshake
 * fails (the proxy answers 502, or 504 on the timeout).
 */
export async function relayWebSocket(
  request: Request,
  target: string,
  init: Omit<UpstreamSocketRequest, "protocols">,
): Promise<Response> {
  const opened = await openUpstreamSocket(webSocketUrl(target), { ...init, protocols: offeredProtocols(request) });
  const upstream = opened.socket;
  let upgrade: WebSocketUpgrade;
  try {
    upgrade = upgradeWebSocket(request, { protocol: upstream.protocol || undefined });
  } catch (error) {
    upstream.close();
    throw error;
  }
  const { socket, response } = upgrade;
  socket.binaryType = "arraybuffer";
  relayMessages(socket, upstream);
  relayMessages(upstream, socket, opened.early);
  opened.stopQueueing();
  return response;
}
