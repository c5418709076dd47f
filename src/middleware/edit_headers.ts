/**
 * Changing a response's headers whether or not they may be changed: a
 * Response from `fetch()` or `Response.redirect()` has immutable headers, and
 * the middleware that add headers (cors, secureHeaders, requestId) must not
 * turn such an answer into a 500.
 *
 * @module
 */

/**
 * Applies `edit` to the response's headers; when they are immutable, to a
 * new Response sharing the body instead. Returns the Response to send. A 101
 * (a WebSocket upgrade) is never copied: its runtime object is what upgrades.
 */
export function editHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError) || response.status === 101) return response;
  }
  const copy = new Response(response.body, response);
  edit(copy.headers);
  return copy;
}

/**
 * Whether a comma-separated header value (`Vary`) names `token`,
 * case-insensitively, or is `*`. `token` is given in lower case.
 */
export function listHas(value: string | null, token: string): boolean {
  if (value === null) return false;
  for (const item of value.split(",")) {
    const name = item.trim().toLowerCase();
    if (name === token || name === "*") return true;
  }
  return false;
}

/** Adds `token` to the `Vary` header unless it is already there (or `Vary` is `*`). */
export function addVary(headers: Headers, token: string): void {
  const vary = headers.get("vary");
  if (vary === null) headers.set("vary", token);
  else if (!listHas(vary, token.toLowerCase())) headers.set("vary", `${vary}, ${token}`);
}
