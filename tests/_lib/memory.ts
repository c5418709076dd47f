/**
 * Memory probes for tests on Node, Deno and Bun. RSS cannot tell buffering
 * from garbage not yet collected (V8 lets streamed ArrayBuffers pile up by
 * tens of MiB before it collects), nor from pages the allocator keeps after
 * freeing them, so the watch forces a collection before each sample and
 * measures the JavaScript heap plus the ArrayBuffer/Buffer memory it holds:
 * what a buffering stream would really keep alive.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;

/** A full, synchronous garbage collection: `Bun.gc` on Bun, V8's `gc()` on Node and Deno. */
const collectGarbage: () => void = bun ? () => bun.gc(true) : (() => {
  // Exposing gc at run time avoids a flag on every runner's command line.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // Twice: Node counts a dead ArrayBuffer as external memory until the next
  // collection after the one that found it dead (measured: a loop that keeps
  // nothing showed +80 MiB after one gc(), +0.1 MiB after two).
  return () => {
    gc();
    gc();
  };
})();

/** Bytes held by JavaScript: the heap plus the external (ArrayBuffer) memory it references. */
function liveBytes(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/**
 * Samples live memory until stopped; returns the peak growth in bytes over the start.
 *
 * Samples are at least `intervalMs` apart, and at least four times as long
 * apart as the last one took: a full collection of a heap grown by earlier
 * tests can take tens of milliseconds, and back to back they starved the very
 * transfer being watched (a 64 MiB upload through the proxy took from 1 to
 * over 30 s on Deno, and was answered 408).
 */
export function memoryWatch(intervalMs = 100): () => number {
  let lastTook = 0;
  const sample = () => {
    const started = performance.now();
    collectGarbage();
    const bytes = liveBytes();
    lastTook = performance.now() - started;
    return bytes;
  };
  const start = sample();
  let peak = start;
  let timer: ReturnType<typeof setTimeout>;
  const next = () => {
    timer = setTimeout(() => {
      peak = Math.max(peak, sample());
      next();
    }, Math.max(intervalMs, 4 * lastTook));
  };
  next();
  return () => {
    clearTimeout(timer);
    return Math.max(peak, sample()) - start;
  };
}
