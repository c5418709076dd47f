/**
 * The answer for a path dispatch cannot read. Where a path ends and what its
 * canonical form is lives in `src/internal/canonical_path.ts`, shared with
 * the static file server.
 *
 * @module
 */

/** The 400 for a path dispatch cannot read. */
export function badPath(reason: string): Response {
  return new Response(`Bad Request: ${reason}\n`, {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}
