/**
 * Workers adapter: workerd calls a module's `fetch(request, env, ctx)` itself,
 * so there is no server to start, only the context to bind from what it
 * passes. `defineApp` binds with it.
 *
 * @module
 */
import type { ContextInit } from "../../context.ts";
import { defaultLimits } from "../limits.ts";
import { workersUpgrader } from "./websocket_workerd.ts";

/** One upgrader for every request: a Worker has no `serve()` limits, so the defaults apply. */
const upgrader = workersUpgrader(defaultLimits.maxMessageSize);

/** The execution context Workers pass a fetch handler as its third argument. */
export interface WorkersExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** Whether a handler argument is a Workers execution context. */
export function isWorkersContext(value: unknown): value is WorkersExecutionContext {
  return typeof (value as { waitUntil?: unknown } | null)?.waitUntil === "function";
}

/** The context of a request workerd passed with its `env` and execution context. */
export function workersContextInit(env: unknown, ctx: WorkersExecutionContext): ContextInit {
  return { env, waitUntil: (promise) => ctx.waitUntil(promise), webSocket: upgrader };
}
