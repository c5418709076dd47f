/**
 * WebSocket echo servers for bench/websocket.ts, each listening on $PORT
 * (127.0.0.1) at any path:
 *
 *   bare       the runtime's own WebSocket server, as its documentation
 *              writes an echo: `Deno.upgradeWebSocket`, `Bun.serve` with
 *              `websocket` handlers, and on Node the `ws` package on
 *              `node:http` (`noServer` + `handleUpgrade` on 'upgrade')
 *   fetchkit   `serve()` of a handler calling `upgradeWebSocket()`, with the
 *              standard `onmessage` / `send`: the same code on every runtime
 *
 * A plain GET is answered (200 or 426) so the runner can tell it is up.
 *
 * Run: <runtime> bench/websocket_server.ts <variant>
 */
import { serve, upgradeWebSocket } from "../mod.ts";
import { args, port } from "./servers/native.ts";

const g = globalThis as unknown as {
  Deno?: {
    serve(options: Record<string, unknown>, handler: (request: Request) => Response): unknown;
    upgradeWebSocket(request: Request): { socket: WebSocket; response: Response };
  };
  Bun?: { serve(options: Record<string, unknown>): unknown };
};

function echo(request: Request): Response {
  if (request.headers.get("upgrade") !== "websocket") return new Response("echo server");
  const { socket, response } = upgradeWebSocket(request);
  socket.onmessage = (event) => socket.send(event.data);
  return response;
}

async function serveBare(): Promise<void> {
  if (g.Deno) {
    g.Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, (request) => {
      if (request.headers.get("upgrade") !== "websocket") return new Response("echo server");
      const { socket, response } = g.Deno!.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    });
  } else if (g.Bun) {
    g.Bun.serve({
      port,
      hostname: "127.0.0.1",
      fetch(request: Request, server: { upgrade(request: Request): boolean }) {
        if (server.upgrade(request)) return undefined;
        return new Response("echo server");
      },
      websocket: {
        message(ws: { send(data: string | Uint8Array): void }, message: string | Uint8Array) {
          ws.send(message);
        },
      },
    });
  } else {
    const { createServer } = await import("node:http");
    const { WebSocketServer } = await import("ws");
    const sockets = new WebSocketServer({ noServer: true });
    const server = createServer((_req, res) => res.end("echo server"));
    server.on("upgrade", (req, socket, head) => {
      sockets.handleUpgrade(req, socket, head, (ws) => {
        ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
    });
    server.listen(port, "127.0.0.1");
  }
}

if (args[0] === "bare") await serveBare();
else await serve(echo, { port, onListen() {}, handleSignals: false });
