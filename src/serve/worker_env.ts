/**
 * How a multi-process server tells its worker processes who they are: the
 * primary re-runs the same program with these environment variables set.
 *
 * @module
 */
import { env } from "../internal/process.ts";

/** Environment variables a worker process is started with. */
export const WORKER_ENV = Object.freeze({
  /** The worker's index, from 1. */
  index: "FETCHKIT_WORKER",
  /** The port the primary bound (the worker binds it too, with SO_REUSEPORT or through node:cluster). */
  port: "FETCHKIT_WORKER_PORT",
});

/** This process's worker index, `undefined` in a primary or a single-process server. */
export function workerIndex(): number | undefined {
  const value = env(WORKER_ENV.index);
  return value === undefined || value === "" ? undefined : Number(value);
}
