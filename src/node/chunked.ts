/**
 * A decoder for HTTP/1.1 chunked framing (RFC 9112 §7.1), for the rare Node
 * app that sets `Transfer-Encoding: chunked` itself: `ServerResponse` then
 * frames the body, and the bridge, reading as a client would, unframes it.
 *
 * @module
 */

const CR = 13;
const LF = 10;

/** Unframes a chunked body fed in arbitrary pieces; trailers are dropped. */
export class ChunkedDecoder {
  /** Bytes left in the current chunk's data, or -1 while reading a size line. */
  #remaining = -1;
  /** Line bytes after a chunk's data (its CRLF) or in a size line / trailer section. */
  #line = "";
  #afterData = false;
  #done = false;

  /** True once the last (zero-size) chunk and the trailer section were read. */
  get done(): boolean {
    return this.#done;
  }

  /** Returns the data bytes contained in `bytes` (views into it, no copy). */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length && !this.#done) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, bytes.length - i);
        out.push(bytes.subarray(i, i + take));
        this.#remaining -= take;
        i += take;
        if (this.#remaining === 0) this.#afterData = true;
        continue;
      }
      // A line: the CRLF after data, a size line, or a trailer line.
      const byte = bytes[i++];
      if (byte !== LF) {
        if (byte !== CR) this.#line += String.fromCharCode(byte);
        continue;
      }
      const line = this.#line;
      this.#line = "";
      if (this.#afterData) {
        this.#afterData = false;
        this.#remaining = -1;
      } else if (this.#remaining === -1) {
        const size = parseInt(line, 16); // extensions after ';' are ignored by parseInt
        if (size > 0) this.#remaining = size;
        else this.#remaining = -2; // last chunk: trailers follow until an empty line
      } else if (line === "") {
        this.#done = true;
      }
    }
    return out;
  }
}
