/**
 * An Express app mounted inside fetchkit (`fromNode`), and a fetchkit handler
 * used inside that Express app (`toNode`): both directions of the Node bridge.
 *
 * Run:  node examples/express-inside.ts      then open http://127.0.0.1:8000/legacy/users
 * (also `deno run -A examples/express-inside.ts` or `bun examples/express-inside.ts`)
 *
 * - GET /               fetchkit
 * - GET /legacy/users   Express, which sees req.url "/users", req.baseUrl "/legacy"
 * - GET /legacy/kit/hi  a fetchkit handler inside the Express app inside fetchkit
 * - anything else       404: Express's own 404s fall through (`passOn404`) to fetchkit's
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { context, match, mount, serve } from "../mod.ts";
import { fromNode, toNode } from "../src/bridge/node_mod.ts";

// Express 5 ships no types (@types/express would); the part this example uses.
interface ExpressRequest extends IncomingMessage {
  baseUrl: string;
  originalUrl: string;
}
interface ExpressResponse extends ServerResponse {
  json(value: unknown): void;
}
interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  get(path: string, handler: (req: ExpressRequest, res: ExpressResponse) => void): void;
  use(path: string, handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): void;
}
const { default: express } = await import("express" as string) as { default: () => ExpressApp };

const legacy = express();
legacy.get("/users", (req, res) => {
  res.json({ url: req.url, baseUrl: req.baseUrl, originalUrl: req.originalUrl, users: ["ada", "grace"] });
});
// fetchkit inside Express: the handler sees the path below /kit and the whole prefix in context().base.
legacy.use("/kit", toNode((request) => new Response(`fetchkit under ${context(request).base}: ${request.url}\n`)));

const app = mount({
  "/": match("/", () => new Response("fetchkit at the root; Express at /legacy/\n")),
  // Express cannot call pass(): its 404 ("Cannot GET …") is taken as one, and dispatch goes on to the root's.
  "/legacy": { app: fromNode(legacy), passOn404: true },
});

await serve(app);
