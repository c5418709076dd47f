/**
 * A raw HTTP/1.1 client for the static tests: sends the request target
 * byte-for-byte (no URL normalisation, no automatic decompression) and
 * returns status, headers and body bytes. Works on Node, Deno and Bun.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Uint8Array;
  text(): string;
}

const decoder = new TextDecoder();

/** Sends `method target` with `headers` to `url`'s host and reads the whole response (Connection: close). */
export function rawRequest(
  url: URL,
  target: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Uint8Array[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`timeout on ${method} ${target}`)));
    socket.on("connect", () => {
      const lines = [`${method} ${target} HTTP/1.1`, `host: ${url.host}`, "connection: close"];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.write(lines.join("\r\n") + "\r\n\r\n");
    });
    socket.on("data", (chunk: Uint8Array) => chunks.push(new Uint8Array(chunk)));
    socket.on("error", reject);
    socket.on("close", () => {
      try {
        resolve(parse(concat(chunks), method === "HEAD"));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function indexOfCrlfCrlf(bytes: Uint8Array, from = 0): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

function parse(bytes: Uint8Array, head: boolean): RawResponse {
  const end = indexOfCrlfCrlf(bytes);
  if (end === -1) throw new Error(`no complete response head in ${bytes.length} bytes`);
  const lines = decoder.decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  let body = bytes.subarray(end + 4);
  if (head || status === 304 || status === 204) body = new Uint8Array(0);
  else if (headers.get("transfer-encoding")?.includes("chunked")) body = dechunk(body);
  else if (headers.has("content-length")) body = body.subarray(0, Number(headers.get("content-length")));
  return { status, headers, body, text: () => decoder.decode(body) };
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    let lineEnd = at;
    while (lineEnd + 1 < bytes.length && !(bytes[lineEnd] === 13 && bytes[lineEnd + 1] === 10)) lineEnd++;
    const size = parseInt(decoder.decode(bytes.subarray(at, lineEnd)), 16);
    if (!size) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return concat(parts);
}
