/**
 * `Accept-Encoding` negotiation for precompressed siblings (RFC 9110 §12.5.3).
 *
 * @module
 */

/** A content coding served from a precompressed sibling file. */
export type Encoding = "br" | "zstd" | "gzip";

/** The file extension of each coding's sibling (`app.js.br`). */
export const ENCODING_EXTENSIONS: Readonly<Record<Encoding, string>> = { br: ".br", zstd: ".zst", gzip: ".gz" };

/**
 * Picks the coding to send among `available` (in server preference order,
 * identity always available last): the highest q-value wins, ties go to the
 * server's order; `x-gzip` counts as `gzip`, `*` as any coding. Returns
 * `"identity"` when no coding is acceptable, also when the client refused
 * identity (`identity;q=0`): sending the plain bytes is what servers do rather
 * than 406.
 */
export function negotiateEncoding(header: string | null, available: readonly Encoding[]): Encoding | "identity" {
  if (header === null || available.length === 0) return "identity";
  const weights = parseAcceptEncoding(header);
  const star = weights.get("*");
  let best: Encoding | "identity" = "identity";
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

/** Coding name (lowercased) to q-value. Malformed q-values count as 0 (not acceptable). */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const item of header.split(",")) {
    const semicolon = item.indexOf(";");
    const name = (semicolon === -1 ? item : item.slice(0, semicolon)).trim().toLowerCase();
    if (name === "") continue;
    let q = 1;
    if (semicolon !== -1) {
      const param = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(item.slice(semicolon + 1));
      q = param ? Math.min(1, Number(param[1])) : 0;
    }
    if (!weights.has(name) || q > weights.get(name)!) weights.set(name, q);
  }
  return weights;
}
