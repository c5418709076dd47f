/**
 * The process's stderr, written without console formatting: Deno's
 * `stderr.writeSync`, Node's and Bun's `process.stderr`; `undefined` on
 * workerd, where lines go through `console` instead.
 *
 * @module
 */
import { runtime } from "../../internal/runtime.ts";

interface StdStreams {
  Deno?: { stderr: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean } };
  process?: { stderr?: { write(text: string): boolean; isTTY?: boolean } };
}

/** Writes text to stderr synchronously on Deno, Node and Bun; `undefined` elsewhere (Workers). */
export function stderrWriter(): { write: (text: string) => void; terminal: boolean } | undefined {
  const global = globalThis as StdStreams;
  if (global.Deno) {
    const stderr = global.Deno.stderr;
    const encoder = new TextEncoder();
    return {
      write(text) {
        let bytes = encoder.encode(text);
        while (bytes.length > 0) bytes = bytes.subarray(stderr.writeSync(bytes));
      },
      terminal: stderr.isTerminal(),
    };
  }
  // Workers (even with nodejs_compat's process) log through console, line by line: no timers after the response.
  if (runtime === "workerd") return undefined;
  const stderr = global.process?.stderr;
  if (stderr && typeof stderr.write === "function") {
    return { write: (text) => void stderr.write(text), terminal: stderr.isTTY === true };
  }
  return undefined;
}
