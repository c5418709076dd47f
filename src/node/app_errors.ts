/**
 * How both ways of `fromNode` (the general bridge and the direct path) answer
 * a Connect-style error before the app sent a head.
 *
 * @module
 */

import { plainResponse } from "../internal/http.ts";

/** The status a Connect error asks for (`status` or `statusCode`, 4xx/5xx), else 500. */
export function errorStatus(error: unknown): number {
  const declared = (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof declared === "number" && declared >= 400 && declared <= 599 ? declared : 500;
}

/** A plain-text answer naming the status, as Node's `STATUS_CODES` spell it. */
export function errorResponse(statusCodes: Record<number, string | undefined>, status: number): Response {
  return plainResponse(status, statusCodes[status] ?? "Error");
}
