/**
 * The single-page-app fallback of `serveStatic({ spa: true })`: a browser
 * navigating to a route of the app (`/users/7`) that is no file gets the
 * root's index file, whose script reads the path. What asks for something
 * else (an image, a script, `fetch()` of JSON) still misses.
 *
 * @module
 */
import { lookup } from "./resolve.ts";
import { respond } from "./respond.ts";
import type { StaticServer } from "./server.ts";

/**
 * Whether `request` is a browser navigating to a page: GET or HEAD, an
 * `Accept` naming `text/html`, and a last path segment without an extension
 * (`/app.js` and `/logo.png` are assets, whatever the client accepts).
 */
export function isNavigation(request: Request, rawPath: string): boolean {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") return false;
  if (!(request.headers.get("accept") ?? "").includes("text/html")) return false;
  return !rawPath.slice(rawPath.lastIndexOf("/") + 1).includes(".");
}

/**
 * The answer for `request`, or the root's index file when the answer is a
 * miss of a navigation. The index is looked up as the root directory `/`
 * (not `/index.html`, which clean URLs redirect), and only a file will do:
 * never the root's listing.
 */
export async function withSpaFallback(
  server: StaticServer,
  request: Request,
  rawPath: string,
  answer: Response | Promise<Response>,
): Promise<Response> {
  const response = await answer;
  if (response.status !== 404 || !isNavigation(request, rawPath)) return response;
  const index = await lookup(server, "/", Date.now());
  if (index.kind !== "file") return response;
  await response.body?.cancel();
  return await respond(server, request, "/", request.method === "HEAD", index);
}
