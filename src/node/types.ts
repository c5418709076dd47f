/**
 * The Node types the bridges' signatures name: `fromNode` takes a
 * {@linkcode NodeListener}, `toNode` returns one. They live here because
 * src/bridge/ imports no `node:` module, not even a type.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type { IncomingMessage, ServerResponse };

/**
 * Connect's `next`: no argument declines the request, an error fails it.
 *
 * @example
 * ```ts
 * import type { NodeNext } from "@fetchkit/core/node";
 * const next: NodeNext = (error) => error && console.error(error);
 * ```
 */
export type NodeNext = (error?: unknown) => void;

/**
 * A Node request listener or Connect/Express middleware: `(req, res, next)`.
 * An Express or Connect app is one.
 *
 * @example
 * ```ts
 * import type { NodeListener } from "@fetchkit/core/node";
 * const hello: NodeListener = (_req, res) => res.end("hello");
 * ```
 */
export type NodeListener<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
> = (req: Req, res: Res, next: NodeNext) => unknown;
