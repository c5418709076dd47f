/**
 * The backpressure wait shared by the Node bridges (serve's node:http adapter
 * and bridge/'s fake sockets): after `write()` returned false, wait for the
 * writable's next `drain`, or its `close` when the client went away.
 *
 * @module
 */

/** The part of a Node writable this needs. */
export interface DrainEmitter {
  on(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

/** Resolves on the next `drain` or `close` of `writable`, whichever comes first. */
export function drainOrClose(writable: DrainEmitter): Promise<void> {
  return new Promise<void>((resume) => {
    const go = () => {
      writable.off("drain", go);
      writable.off("close", go);
      resume();
    };
    writable.on("drain", go);
    writable.on("close", go);
  });
}
