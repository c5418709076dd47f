/**
 * Writing a prepared answer (src/internal/prepared.ts) on `node:http`: the
 * status line and header fields encoded once per head, handed to Node as
 * its already-serialized header block, then one `end()` with the body.
 *
 * Why: `writeHead(status, headers)` validates and serializes every field of
 * every response; for a cached file those fields are the same thousands of
 * times a second. Node's own `_storeHeader(block, null)` is what `writeHead`
 * calls after that work, and it adds what does vary per request, as for any
 * response: `Date` (cached per second by Node) and `Connection` /
 * `Keep-Alive` as the request and the server's state say. Content-Length is
 * the one field given to it as a field (so it also frames HTTP/1.0 answers). The fields were checked once, against Node's own rules,
 * when the block was made; a head Node would refuse is written the ordinary
 * way, which fails as it always did.
 *
 * Only for an HTTP/1.x `ServerResponse` of `node:http` that nothing was set
 * on yet; anything else (HTTP/2 compat responses, a head begun elsewhere) is
 * left to the ordinary writer.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PreparedAnswer, PreparedHead } from "../internal/prepared.ts";

/** The `node:http` internals this relies on, checked before each use. */
interface RawResponse {
  _storeHeader?: (firstLine: string, headers: string[] | null) => void;
  _header?: string | null;
  _hasBody: boolean;
  _expect_continue: boolean;
  _sent100: boolean;
}

/** The statuses prepared answers have, with Node's reason phrases. */
const REASONS: Record<number, string | undefined> = { 200: "OK", 206: "Partial Content", 304: "Not Modified" };

/** Node's rules for a field (validateHeaderName / validateHeaderValue in `node:http`). */
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** A head's encoding: the status it was made for and the block (`false`: Node would refuse a field). */
interface EncodedHead {
  status: number;
  block: string | false;
}

/**
 * Writes `answer` to `res` from its encoded head; `false` when this
 * response cannot take the short way (then nothing was written).
 */
export function writePrepared(answer: PreparedAnswer, req: IncomingMessage, res: ServerResponse): boolean {
  if (res.destroyed) return true;
  const raw = res as unknown as RawResponse;
  if (
    req.httpVersionMajor !== 1 || typeof raw._storeHeader !== "function" || raw._header !== null ||
    res.getHeaderNames().length !== 0
  ) return false;
  const status = answer.status;
  const reason = REASONS[status];
  if (reason === undefined) return false;
  const block = headBlock(answer.head, status);
  if (block === false) return false;
  const extra = answer.extra === undefined ? "" : extraOf(answer);
  if (extra === undefined) return false;
  const body = answer.body;
  // What writeHead does before it stores a head.
  res.statusCode = status;
  res.statusMessage = reason;
  if (status === 304) raw._hasBody = false;
  if (raw._expect_continue && !raw._sent100) res.shouldKeepAlive = false;
  raw._storeHeader(block + extra, body === null ? null : ["content-length", String(body.byteLength)]);
  if (body === null || req.method === "HEAD") res.end();
  else res.end(body);
  return true;
}

/** The status line and fields of `head` (but Content-Length, given apart), encoded once per status. */
function headBlock(head: PreparedHead, status: number): string | false {
  const known = head.encoded as EncodedHead | undefined;
  if (known !== undefined && known.status === status) return known.block;
  const encoded: EncodedHead = { status, block: encode(head, status) };
  head.encoded = encoded;
  return encoded.block;
}

function encode(head: PreparedHead, status: number): string | false {
  let headers: Headers;
  try {
    headers = new Headers(head.fields);
  } catch {
    return false;
  }
  // Iterated as the ordinary writer does: lower-case names, sorted, each Set-Cookie apart.
  let block = `HTTP/1.1 ${status} ${REASONS[status]}\r\n`;
  for (const [name, value] of headers) {
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) return false;
    if (name !== "content-length") block += `${name}: ${value}\r\n`;
  }
  return block;
}

/** The extra lines of `answer`, encoded once per answer (a kept 206 is written many times). */
function extraOf(answer: PreparedAnswer): string | undefined {
  if (typeof answer.encoded === "string") return answer.encoded;
  const lines = extraLines(answer.extra!);
  answer.encoded = lines;
  return lines;
}

/** This answer's own fields as header lines (but Content-Length); `undefined` when Node would refuse one. */
function extraLines(extra: readonly string[]): string | undefined {
  let lines = "";
  for (let i = 0; i + 1 < extra.length; i += 2) {
    const name = extra[i];
    const value = extra[i + 1];
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) return undefined;
    if (name !== "content-length") lines += `${name}: ${value}\r\n`;
  }
  return lines;
}
