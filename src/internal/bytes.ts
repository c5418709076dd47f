/**
 * Joining byte chunks: one copy into a buffer of the summed length, used by
 * every part that collects a body or a compressor's output.
 *
 * @module
 */

/** The chunks as one `Uint8Array` (a fresh copy, also for a single chunk). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  return joined;
}
