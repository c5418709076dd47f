/**
 * WebSockets on Workers: a `WebSocketPair`, the client end returned in the
 * 101, the server end accepted here and given to the handler. workerd
 * dispatches no 'open' on an accepted socket, so it is dispatched a turn
 * later, as on the other runtimes.
 *
 * @module
 */
import { limitMessageSize } from "../../internal/message_size.ts";
import type { UpgradeRequest, WebSocketUpgrade, WebSocketUpgrader } from "../../internal/upgrade.ts";

interface WorkersSocket extends WebSocket {
  accept(): void;
}
type WebSocketPairClass = new () => { 0: WorkersSocket; 1: WorkersSocket };

/** The upgrader of a Worker whose messages are at most `maxMessageSize` bytes. */
export function workersUpgrader(maxMessageSize: number): WebSocketUpgrader {
  return {
    upgrade(_request: Request, _runtimeArgs: readonly unknown[], options: UpgradeRequest): WebSocketUpgrade {
      const Pair = (globalThis as unknown as { WebSocketPair?: WebSocketPairClass }).WebSocketPair;
      if (Pair === undefined) throw new TypeError("upgradeWebSocket: this Workers runtime has no WebSocketPair");
      const pair = new Pair();
      const client = pair[0];
      const socket = pair[1];
      socket.accept();
      limitMessageSize(socket, maxMessageSize);
      setTimeout(() => socket.dispatchEvent(new Event("open")), 0);
      const headers = options.protocol === undefined ? undefined : { "sec-websocket-protocol": options.protocol };
      const init = { status: 101, headers, webSocket: client } as ResponseInit;
      return { socket, response: new Response(null, init) };
    },
  };
}
