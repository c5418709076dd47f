/**
 * `fetchkit/node`: Node's request listeners and fetchkit handlers inside
 * each other — an Express, Connect or `node:http` app mounted in fetchkit
 * with `fromNode`, and a fetchkit handler served by any `node:http` server
 * (or as Express middleware) with `toNode`.
 *
 * @example Express inside fetchkit
 * ```ts
 * import { mount } from "@fetchkit/core";
 * import { fromNode } from "@fetchkit/core/node";
 * import type { IncomingMessage, ServerResponse } from "node:http";
 * const legacy = (_req: IncomingMessage, res: ServerResponse) => res.end("from node:http");
 * const app = mount({ "/legacy": fromNode(legacy) });
 * await (await app(new Request("http://localhost/legacy/"))).text(); // "from node:http"
 * ```
 *
 * @module
 */
export { fromNode } from "./from_node.ts";
export type { NodeListener, NodeNext } from "./from_node.ts";
export { toNode } from "./to_node.ts";
