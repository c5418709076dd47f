/**
 * The bridge bench's servers: one Express hello app, either on `node:http`
 * directly (`direct`) or behind `fromNode` served by fetchkit's `serve()`
 * (`bridged`). Listens on $PORT.
 *
 * Run: node bench/bridge_server.ts bridged   (PORT=8000 by default)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { fromNode } from "../src/bridge/node_mod.ts";
import { serve } from "../mod.ts";
import { args, port } from "./servers/native.ts";

interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  get(path: string, handler: (req: IncomingMessage, res: ServerResponse & { send(body: string): void }) => void): void;
}
const { default: express } = await import("express" as string) as { default: () => ExpressApp };

const app = express();
app.get("/", (_req, res) => res.send("Hello, world"));

if (args[0] === "direct") createServer(app).listen(port, "127.0.0.1");
else await serve(fromNode(app), { port, hostname: "127.0.0.1", onListen() {} });
