/**
 * The answer for a path dispatch cannot read. Where a path ends and what its
 * canonical form is lives in `src/internal/canonical_path.ts`, shared with
 * the static file server.
 *
 * @module
 */

import { plainResponse } from "../internal/http.ts";

/** The 400 for a path dispatch cannot read. */
export function badPath(reason: string): Response {
  return plainResponse(400, `Bad Request: ${reason}`);
}
