/**
 * The answers serveStatic gives synchronously from its caches, with no
 * promise and no file I/O: a 200 whose body is in memory, a 304 for a
 * matching `If-None-Match`, and a 206 for one range of a body in memory.
 * Anything else (other preconditions, several ranges, a 416, HEAD, encoding
 * negotiation) goes the full way through respond.ts, which gives the same
 * answers for these cases too: this is only the short way to them.
 *
 * @module
 */
import { type PreparedAnswer, preparedResponse } from "../internal/prepared.ts";
import { rawHeaderList } from "../internal/raw_headers.ts";
import { runtime } from "../internal/runtime.ts";
import { CLONE_TEMPLATES } from "./cache.ts";
import { etagListMatches } from "./conditional.ts";
import { parseRange } from "./range.ts";
import { fromMemory } from "./respond.ts";
import type { StaticServer } from "./server.ts";
import type { FileEntry, Variant } from "./variant.ts";

/** The request headers the short way looks at. */
interface Conditions {
  ifNoneMatch: string | null;
  range: string | null;
  /** If-Modified-Since is present (it counts only without If-None-Match). */
  ifModifiedSince: boolean;
  /** If-Match, If-Unmodified-Since or If-Range is present, or a field is repeated: respond.ts decides. */
  other: boolean;
}

/** Only Node's light Request offers its raw list (src/internal/raw_headers.ts); elsewhere the lookup is skipped. */
const RAW_LISTS = runtime === "node";

/**
 * The answer to a GET or HEAD of `entry` when it can be given from memory
 * at once, else `undefined`. In the order of RFC 9110 §13.2.2, as
 * respond.ts: If-None-Match (304), then Range (206), then the content.
 */
export function hotAnswer(
  server: StaticServer,
  entry: FileEntry,
  request: Request,
  isHead: boolean,
): Response | undefined {
  const variants = entry.variants;
  if (variants.length !== 1) return undefined;
  const v = variants[0];
  const raw = RAW_LISTS ? rawHeaderList(request) : undefined;
  const conditions = raw !== undefined ? fromRawList(raw) : fromHeaders(request.headers);
  if (conditions.other) return undefined;
  if (conditions.ifNoneMatch !== null) {
    if (etagListMatches(conditions.ifNoneMatch, v.etag, true)) return notModified(v);
  } else if (conditions.ifModifiedSince) {
    return undefined;
  }
  const body = v.body;
  if (isHead || body === undefined) return undefined;
  if (conditions.range === null) return fromMemory(v, body);
  return partial(server, v, body, conditions.range);
}

function fromHeaders(headers: Headers): Conditions {
  const range = headers.get("range");
  return {
    ifNoneMatch: headers.get("if-none-match"),
    range,
    ifModifiedSince: headers.has("if-modified-since"),
    other: headers.has("if-match") || headers.has("if-unmodified-since") ||
      (range !== null && headers.has("if-range")),
  };
}

/** The same from a raw `[name, value, …]` list, in one pass. */
function fromRawList(raw: readonly string[]): Conditions {
  const found: Conditions = { ifNoneMatch: null, range: null, ifModifiedSince: false, other: false };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    switch (name.length) {
      case 5:
        if (name.toLowerCase() === "range") {
          if (found.range !== null) found.other = true;
          found.range = raw[i + 1];
        }
        break;
      case 8: {
        const lower = name.toLowerCase();
        if (lower === "if-match" || lower === "if-range") found.other = true;
        break;
      }
      case 13:
        if (name.toLowerCase() === "if-none-match") {
          if (found.ifNoneMatch !== null) found.other = true;
          found.ifNoneMatch = raw[i + 1];
        }
        break;
      case 17:
        if (name.toLowerCase() === "if-modified-since") found.ifModifiedSince = true;
        break;
      case 19:
        if (name.toLowerCase() === "if-unmodified-since") found.other = true;
        break;
    }
  }
  return found;
}

/** The 304 of `v`: a clone of a kept one where that is cheap, a prepared answer elsewhere. */
function notModified(v: Variant): Response {
  if (CLONE_TEMPLATES) {
    v.notModifiedTemplate ??= new Response(null, { status: 304, headers: v.notModified });
    return v.notModifiedTemplate.clone();
  }
  return preparedResponse({ status: 304, head: v.heads.notModified, extra: undefined, body: null });
}

/** One range of a body in memory (206); the whole body when Range is to be ignored; `undefined` for the rest. */
function partial(
  server: StaticServer,
  v: Variant,
  body: Uint8Array<ArrayBuffer>,
  header: string,
): Response | undefined {
  const kept = v.partialTemplate;
  if (kept !== undefined && kept.range === header) {
    v.hit = true;
    return kept.response.clone();
  }
  const known = v.partialAnswer;
  if (known !== undefined && known.range === header) {
    v.hit = true;
    return preparedResponse(known.answer);
  }
  const size = v.stat.size;
  const ranges = parseRange(header, size, server.settings.maxRanges);
  if (ranges === "ignore") return fromMemory(v, body);
  if (ranges === "unsatisfiable" || ranges.length !== 1) return undefined;
  const { start, end } = ranges[0];
  v.hit = true;
  const answer: PreparedAnswer = {
    status: 206,
    head: v.heads.partial,
    extra: ["content-length", String(end - start), "content-range", `bytes ${start}-${end - 1}/${size}`],
    body: body.subarray(start, end),
  };
  const response = preparedResponse(answer);
  if (!CLONE_TEMPLATES) {
    v.partialAnswer = { range: header, answer };
    return response;
  }
  server.cache.keepPartial(v, header, response, end - start);
  return v.partialTemplate?.response === response ? response.clone() : response;
}
