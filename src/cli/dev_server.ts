/**
 * What the command prints as a development server: one access-log line per
 * request (through the `logger` middleware, in a short format of its own)
 * and a banner naming what is served and every URL it answers on.
 *
 * @module
 */
import type { Middleware } from "../handler.ts";
import { env } from "../internal/process.ts";
import { type LogEntry, logger } from "../middleware/logger.ts";
import { stderrWriter } from "../middleware/adapters/stderr.ts";
import { escapeCode, isUnsafeCode } from "../middleware/redact.ts";

/**
 * The access-log line of the command, one per request, in local time:
 * `15:08:34 127.0.0.1 GET /about 200 1234 B 2.1 ms`. The time, the client,
 * the method and path as received, the status, the bytes of the body (`-`
 * when unknown: a stream without a declared length, or, outside Node, an
 * app's undeclared string or bytes body) and the time the app took to
 * answer. `python -m http.server` and `npx serve` log the same facts; the
 * status is coloured on a terminal.
 */
export function devLogLine(entry: LogEntry, color = false): string {
  const time = entry.time.toTimeString().slice(0, 8);
  const status = color ? colourStatus(entry.status) : String(entry.status);
  const bytes = entry.bytes === undefined ? "-" : `${entry.bytes} B`;
  return `${time} ${entry.remote ?? "-"} ${entry.method} ${printable(entry.target)} ${status} ${bytes} ${
    entry.durationMs.toFixed(1)
  } ms`;
}

/** The command's access log: {@linkcode devLogLine} to stderr, batched by the logger. */
export function devLogger(): Middleware {
  const color = (stderrWriter()?.terminal ?? false) && (env("NO_COLOR") ?? "") === "";
  return logger({ format: (entry) => devLogLine(entry, color) });
}

function colourStatus(status: number): string {
  const code = status >= 500 ? 31 : status >= 400 ? 33 : status >= 300 ? 36 : 32;
  return `\x1b[${code}m${status}\x1b[0m`;
}

/** Control characters, spaces and line separators escaped: a request can neither forge lines nor drive the terminal. */
function printable(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c === 0x20 ? "%20" : c < 0x20 || c === 0x5c || isUnsafeCode(c) ? escapeCode(c) : text[i];
  }
  return out;
}

/** What the banner says is served. */
export interface Served {
  /** `the folder /abs/public`, `the module /abs/app.ts`, `the example site`. */
  what: string;
  /** Modes worth a mention: `directory listings`, `clean URLs`, `single-page app`. */
  features: string[];
}

/**
 * The banner, one line for what is served and one per URL, so a terminal
 * makes each clickable. A server bound to every interface (`0.0.0.0`, `::`)
 * lists loopback and each of the machine's network addresses (for a phone on
 * the same network) instead of the wildcard.
 */
export function banner(served: Served, addresses: readonly URL[], networkAddresses: readonly string[]): string[] {
  const features = served.features.length > 0 ? ` (${served.features.join(", ")})` : "";
  const lines = [`fetchkit: serving ${served.what}${features}`];
  for (const url of addresses) {
    if (url.hostname !== "0.0.0.0" && url.hostname !== "[::]") {
      lines.push(`Listening on ${url.href}`);
      continue;
    }
    const v6 = url.hostname === "[::]";
    for (const address of networkAddresses) {
      if (!v6 && address.includes(":")) continue;
      const network = new URL(url.href);
      network.hostname = address.includes(":") ? `[${address}]` : address;
      lines.push(`Listening on ${network.href} (network)`);
    }
  }
  return lines;
}

/** The machine's own addresses other than loopback (link-local IPv6 left out: it needs a zone to be reached). */
export async function networkAddresses(): Promise<string[]> {
  try {
    const { networkInterfaces } = await import("node:os");
    return Object.values(networkInterfaces()).flat()
      .filter((info) => info !== undefined && !info.internal && !info.address.startsWith("fe80:"))
      .map((info) => info!.address);
  } catch {
    return []; // Deno without --allow-sys: the wildcard's loopback line is still printed
  }
}
