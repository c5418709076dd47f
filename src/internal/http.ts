/**
 * HTTP facts more than one part of fetchkit needs, stated once: which
 * statuses never carry a body, which headers belong to one connection, and
 * the short plain-text answer every part gives for a status it refuses with.
 *
 * @module
 */
import { responsesTellLength, utf8Length } from "./body_length.ts";

/**
 * Statuses whose responses have no body (RFC 9110 §6.4.1, §15.2, §15.3.5,
 * §15.3.6, §15.4.5): informational ones, 204, 205 and 304. A `Response`
 * with one of them must be built with a `null` body.
 */
export function isNullBodyStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 205 || status === 304;
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy `Proxy-Connection`
 * and `Keep-Alive`): they describe one connection and are never forwarded.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * A short plain-text answer: `"<text>\n"` as UTF-8 with `nosniff`, so no
 * browser reads an error page as anything else. `headers` are added (an
 * `Allow`, a `Connection: close`). Its `Content-Length` is declared where the
 * Response class does not tell it ({@linkcode responsesTellLength}).
 */
export function plainResponse(status: number, text: string, headers?: Record<string, string>): Response {
  const body = `${text}\n`;
  const fields: Record<string, string> = {
    "content-type": "text/plain; charset=utf-8",
    "x-content-type-options": "nosniff",
    ...headers,
  };
  if (!responsesTellLength()) fields["content-length"] = String(utf8Length(body));
  return new Response(body, { status, headers: fields });
}
