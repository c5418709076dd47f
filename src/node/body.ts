/**
 * Node readable → `ReadableStream`: the one body stream over a Node
 * `IncomingMessage`, for the request bodies of serve's Node adapter and of
 * `toNode`, and for the proxy's upstream responses. It pulls only while the
 * consumer wants more (the readable is paused past the high-water mark), so
 * a slow reader holds back the sender instead of buffering its body.
 *
 * @module
 */

/**
 * What counts a body as it streams, refusing it past a limit (serve's
 * `BodyGuard`): `refused` once a limit refused it, `onRefuse` told then.
 */
export interface BodyCounter {
  readonly refused: number | undefined;
  onRefuse: ((status: never) => void) | undefined;
  /** Counts a chunk; false once the limit is exceeded (the chunk is dropped). */
  count(bytes: number): boolean;
  /** The body ended or was abandoned. */
  done(): void;
}

/** The part of a Node readable (an `IncomingMessage`) the stream reads. */
export interface NodeReadable {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  once(event: "end" | "aborted", listener: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(): unknown;
}

/** How {@linkcode bodyStream} treats its readable. */
export interface BodyStreamOptions {
  /** Counts the bytes (serve's limits); without one, nothing is counted. */
  counter?: BodyCounter;
  /**
   * What a cancel does with the rest: `"drain"` reads and drops it, so a
   * server's connection stays usable for the next request; `"destroy"` (the
   * default) stops the transfer, closing what is behind it.
   */
  onCancel?: "drain" | "destroy";
}

const HIGH_WATER_MARK = 64 * 1024;

/** A byte stream over `readable`, pulling only when the consumer wants more. */
export function bodyStream(readable: NodeReadable, options: BodyStreamOptions = {}): ReadableStream<Uint8Array> {
  const { counter, onCancel = "destroy" } = options;
  // Once the consumer cancels, what still arrives is dropped, not enqueued.
  let cancelled = false;
  const live = () => !cancelled && counter?.refused === undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (counter !== undefined) {
        counter.onRefuse = () => {
          controller.error(new Error(`request body refused (${counter.refused})`));
          readable.pause();
        };
      }
      readable.on("data", (chunk) => {
        if (cancelled || (counter !== undefined && !counter.count(chunk.byteLength))) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) readable.pause();
      });
      readable.once("end", () => {
        counter?.done();
        if (live()) controller.close();
      });
      readable.once("error", (error) => {
        counter?.done();
        if (live()) controller.error(error);
      });
      readable.once("aborted", () => {
        counter?.done();
        if (live()) controller.error(new Error("the client aborted the request body"));
      });
      readable.pause();
    },
    pull() {
      if (counter?.refused === undefined) readable.resume();
    },
    cancel() {
      cancelled = true;
      counter?.done();
      if (onCancel === "drain") readable.resume();
      else readable.destroy();
    },
  }, { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength });
}
