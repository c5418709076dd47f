/**
 * WebSockets on Deno: `Deno.upgradeWebSocket`, whose socket already is a
 * standard `WebSocket`; fetchkit adds the message size limit. Deno opens the
 * socket once the 101 is returned to its server, and on shutdown closes it
 * with 1001 itself.
 *
 * @module
 */
import { limitMessageSize } from "../../internal/message_size.ts";
import type { UpgradeRequest, WebSocketUpgrade, WebSocketUpgrader } from "../../internal/upgrade.ts";

interface DenoUpgrade {
  upgradeWebSocket(request: Request, options?: { protocol?: string }): WebSocketUpgrade;
}

/** The upgrader of a Deno server whose messages are at most `maxMessageSize` bytes. */
export function denoUpgrader(maxMessageSize: number): WebSocketUpgrader {
  return {
    upgrade(request: Request, _runtimeArgs: readonly unknown[], options: UpgradeRequest): WebSocketUpgrade {
      const Deno = (globalThis as unknown as { Deno: DenoUpgrade }).Deno;
      // Deno reads the head of a request lazily, from a connection the upgrade hands over: everything
      // outer middleware may still read (a logger's Referer and User-Agent) is read now.
      for (const _ of request.headers) { /* read */ }
      let upgrade: WebSocketUpgrade;
      try {
        upgrade = Deno.upgradeWebSocket(request, options.protocol === undefined ? {} : { protocol: options.protocol });
      } catch (error) {
        throw new TypeError(`upgradeWebSocket: ${error instanceof Error ? error.message : String(error)}`);
      }
      limitMessageSize(upgrade.socket, maxMessageSize);
      // Deno's server socket answers "" for the subprotocol it agreed on.
      if (options.protocol !== undefined) {
        Object.defineProperty(upgrade.socket, "protocol", { value: options.protocol });
      }
      return upgrade;
    },
  };
}
