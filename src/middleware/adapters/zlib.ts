/**
 * The runtime's zlib (`node:zlib`, on Node, Deno and Bun) as a Web
 * TransformStream for `compress`. Chosen over `CompressionStream` there
 * because it is faster on Node and Deno (measured: gzip of 100 KiB of HTML
 * 0.67 ms against 1.0 ms on Node, 0.25 against 0.53 on Deno, even on Bun),
 * takes a level, has brotli and zstd everywhere, and can flush: each chunk
 * written is sync-flushed, so an event stream or a page streamed in parts
 * reaches the client as it is produced, not when the compressor's window fills.
 *
 * @module
 */
import type * as Zlib from "node:zlib";
import type { Transform } from "node:stream";

/** A coding the zlib adapter compresses with. */
export type ZlibEncoding = "gzip" | "deflate" | "br" | "zstd";

let zlib: typeof Zlib | undefined;

/**
 * `node:zlib`, fetched synchronously with `process.getBuiltinModule` (Node
 * 22.3+, Deno 2, Bun) so no static `node:` import reaches a Workers bundle;
 * `undefined` where there is none.
 */
function zlibModule(): typeof Zlib | undefined {
  if (zlib !== undefined) return zlib;
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  if (typeof process?.getBuiltinModule !== "function") return undefined;
  try {
    zlib = process.getBuiltinModule("node:zlib") as typeof Zlib | undefined;
  } catch {
    zlib = undefined;
  }
  return zlib;
}

/** Which of the codings this runtime's zlib has (brotli and zstd are recent additions to some); none without zlib. */
export function zlibEncodings(): ZlibEncoding[] {
  const zlib = zlibModule();
  if (zlib === undefined) return [];
  const found: ZlibEncoding[] = ["gzip", "deflate"];
  if (typeof zlib.createBrotliCompress === "function") found.push("br");
  if (typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === "function") found.push("zstd");
  return found;
}

/** A zlib engine for `encoding` at `level`, and how to flush what it holds. */
function engineFor(encoding: ZlibEncoding, level: number): { engine: Transform; flush: number } {
  const z = zlib!;
  const c = z.constants;
  switch (encoding) {
    case "gzip":
      return { engine: z.createGzip({ level }), flush: c.Z_SYNC_FLUSH };
    case "deflate":
      return { engine: z.createDeflate({ level }), flush: c.Z_SYNC_FLUSH };
    case "br":
      return {
        engine: z.createBrotliCompress({ params: { [c.BROTLI_PARAM_QUALITY]: level } }),
        flush: c.BROTLI_OPERATION_FLUSH,
      };
    case "zstd": {
      const zstd = z as unknown as { createZstdCompress(options: object): Transform };
      const constants = c as unknown as Record<string, number>;
      return {
        engine: zstd.createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: level } }),
        flush: constants.ZSTD_e_flush,
      };
    }
  }
}

/**
 * A compressing TransformStream over the runtime's zlib: every chunk is
 * written and flushed before the next is taken, so the output of each
 * chunk is complete (decompressible) when it is enqueued. Only for a
 * coding {@linkcode zlibEncodings} lists.
 */
export function zlibCompressor(encoding: ZlibEncoding, level: number): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream(new ZlibTransformer(encoding, level));
}

/** The transformer of {@linkcode zlibCompressor}: zlib's output collected between flushes. */
class ZlibTransformer implements Transformer<Uint8Array, Uint8Array> {
  readonly engine: Transform;
  readonly flushKind: number;
  output: Uint8Array[] = [];
  failure: unknown = undefined;

  constructor(encoding: ZlibEncoding, level: number) {
    const { engine, flush } = engineFor(encoding, level);
    this.engine = engine;
    this.flushKind = flush;
    engine.on("data", (chunk: Uint8Array) => this.output.push(chunk));
    engine.on("error", (error: unknown) => (this.failure = error));
  }

  transform(chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>): Promise<void> | void {
    if (chunk.byteLength === 0) return;
    this.engine.write(chunk);
    return new Promise((resolve, reject) => {
      (this.engine as unknown as Zlib.Gzip).flush(this.flushKind, () => {
        if (this.failure !== undefined) return reject(this.failure);
        this.#emit(controller);
        resolve();
      });
    });
  }

  flush(controller: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.engine.once("end", () => {
        this.#emit(controller);
        resolve();
      });
      this.engine.once("error", reject);
      this.engine.end();
    });
  }

  /** The body was abandoned (the client left): free the engine now rather than at collection. */
  cancel(): void {
    this.engine.destroy();
  }

  #emit(controller: TransformStreamDefaultController<Uint8Array>): void {
    const output = this.output;
    if (output.length === 0) return;
    this.output = [];
    if (output.length === 1) controller.enqueue(output[0]);
    else controller.enqueue(concat(output));
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.byteLength;
  }
  return joined;
}
