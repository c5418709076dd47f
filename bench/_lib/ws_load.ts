/**
 * The WebSocket load generator of bench/websocket.ts (wrk speaks no
 * WebSocket): `connections` sockets, each keeping `depth` messages of
 * `size` bytes of text in flight (a new one on every echo), for `seconds`.
 * Prints one JSON line: the echoes received in the measured window and
 * the window's length. Run on Node 24 with the `ws` client, pinned to its
 * own core by the runner.
 *
 * Run: node bench/_lib/ws_load.ts <ws-url> <seconds> [connections] [depth] [size]
 */
import { WebSocket } from "ws";

const [url, seconds = "3", connections = "16", depth = "16", size = "32"] = process.argv.slice(2);
const message = "x".repeat(Number(size));
let counting = false;
let echoed = 0;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

const sockets = await Promise.all(Array.from({ length: Number(connections) }, open));
for (const socket of sockets) {
  socket.on("message", () => {
    if (counting) echoed++;
    socket.send(message);
  });
  for (let i = 0; i < Number(depth); i++) socket.send(message);
}
// A short settle before the window: every socket has its messages in flight.
await new Promise((resolve) => setTimeout(resolve, 200));
counting = true;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
counting = false;
const elapsed = (performance.now() - started) / 1000;
for (const socket of sockets) socket.terminate();
console.log(JSON.stringify({ messages: echoed, seconds: elapsed }));
