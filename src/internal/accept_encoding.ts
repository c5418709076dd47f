/**
 * `Accept-Encoding` negotiation (RFC 9110 §12.5.3), written once: the static
 * handler picks a precompressed sibling with it and `compress` a coding to
 * compress with, so both answer the same header the same way.
 *
 * @module
 */

/** Longest header read: a longer one is read up to here (a client listing more is hostile, not helpful). */
const MAX_HEADER = 4096;

/**
 * Picks the coding to send among `available` (in server preference order,
 * identity always available last): the highest q-value wins, ties go to the
 * server's order; `x-gzip` counts as `gzip`, `*` as any coding not named,
 * `q=0` excludes. Returns `"identity"` when no coding is acceptable, also
 * when the client refused identity (`identity;q=0`): sending the plain bytes
 * is what servers do rather than 406. Malformed items (`gzip;q=abc`, `;;;`)
 * are ignored.
 *
 * @example
 * ```ts
 * import { negotiateEncoding } from "./accept_encoding.ts";
 * negotiateEncoding("gzip;q=0.8, br", ["br", "gzip"]); // "br"
 * ```
 */
export function negotiateEncoding<C extends string>(header: string | null, available: readonly C[]): C | "identity" {
  if (header === null || available.length === 0) return "identity";
  const weights = parseAcceptEncoding(header);
  const star = weights.get("*");
  let best: C | "identity" = "identity";
  let bestQ = 0;
  for (const coding of available) {
    const q = weights.get(coding) ?? (coding === "gzip" ? weights.get("x-gzip") : undefined) ?? star ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  if (best === "identity") return "identity";
  // Identity is never ranked implicitly (clients list what they can decode, not
  // what they prefer); it only wins when the client explicitly ranks it higher.
  const identityQ = weights.get("identity");
  return identityQ === undefined || bestQ >= identityQ ? best : "identity";
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Coding name (lowercased) to q-value; an item whose name is not a token or
 * whose q-value is malformed is left out, so it neither excludes nor adds a
 * coding. When a name repeats, its highest q-value counts.
 */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  const text = header.length > MAX_HEADER ? header.slice(0, MAX_HEADER) : header;
  for (const item of text.split(",")) {
    const parts = item.split(";");
    const name = parts[0].trim().toLowerCase();
    if (!TOKEN.test(name)) continue;
    const q = qualityOf(parts);
    if (q === undefined) continue;
    const seen = weights.get(name);
    if (seen === undefined || q > seen) weights.set(name, q);
  }
  return weights;
}

/** The q parameter of an item's parts (1 without one), `undefined` when malformed. */
function qualityOf(parts: readonly string[]): number | undefined {
  let q = 1;
  for (let i = 1; i < parts.length; i++) {
    const param = parts[i];
    const equals = param.indexOf("=");
    if (equals === -1) return undefined;
    if (param.slice(0, equals).trim().toLowerCase() !== "q") continue;
    const value = param.slice(equals + 1).trim();
    if (!QVALUE.test(value)) return undefined;
    q = Number(value);
  }
  return q;
}
