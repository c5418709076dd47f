/**
 * `multipart/byteranges` bodies (RFC 9110 §14.6).
 *
 * @module
 */
import type { ByteRange } from "./range.ts";

const encoder = new TextEncoder();

/** The framing of a multipart/byteranges body: one header per part and the closing delimiter. */
export interface MultipartLayout {
  contentType: string;
  partHeads: Uint8Array[];
  tail: Uint8Array;
  length: number;
}

/** Lays out the parts for `ranges` of a representation of `size` bytes of type `type`. */
export function multipartLayout(ranges: readonly ByteRange[], size: number, type: string): MultipartLayout {
  const boundary = crypto.randomUUID().replaceAll("-", "");
  const partHeads = ranges.map(({ start, end }, i) =>
    encoder.encode(
      `${i === 0 ? "" : "\r\n"}--${boundary}\r\ncontent-type: ${type}\r\ncontent-range: bytes ${start}-${
        end - 1
      }/${size}\r\n\r\n`,
    )
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  let length = tail.length;
  for (let i = 0; i < ranges.length; i++) length += partHeads[i].length + ranges[i].end - ranges[i].start;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, partHeads, tail, length };
}

/**
 * Streams the parts, opening each range's body only when the previous one is
 * done, and cancelling the current one when the client goes away.
 */
export function multipartStream(
  layout: MultipartLayout,
  ranges: readonly ByteRange[],
  open: (range: ByteRange) => BodyInit | Promise<BodyInit>,
): ReadableStream<Uint8Array> {
  let index = 0;
  let headSent = false;
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (true) {
          if (index === ranges.length) {
            controller.enqueue(layout.tail);
            controller.close();
            return;
          }
          if (!headSent) {
            headSent = true;
            controller.enqueue(layout.partHeads[index]);
            return;
          }
          current ??= new Response(await open(ranges[index])).body!.getReader();
          const { done, value } = await current.read();
          if (!done) {
            controller.enqueue(value);
            return;
          }
          current = undefined;
          headSent = false;
          index++;
        }
      } catch (error) {
        controller.error(error);
        await current?.cancel(error).catch(() => {});
      }
    },
    async cancel(reason) {
      await current?.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/** The whole multipart body at once, for a file already in memory. */
export function multipartBytes(
  layout: MultipartLayout,
  ranges: readonly ByteRange[],
  file: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(layout.length);
  let at = 0;
  for (let i = 0; i < ranges.length; i++) {
    out.set(layout.partHeads[i], at);
    at += layout.partHeads[i].length;
    out.set(file.subarray(ranges[i].start, ranges[i].end), at);
    at += ranges[i].end - ranges[i].start;
  }
  out.set(layout.tail, at);
  return out;
}
