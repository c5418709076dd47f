/**
 * `hosts()`: virtual hosts by the request's host, Apache's `<VirtualHost>`
 * blocks for Fetch handlers.
 *
 * @module
 */

import { type Handler, type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { hostOfUrl, readHost } from "../internal/host.ts";
import { plainResponse } from "../internal/http.ts";

/**
 * The table given to {@linkcode hosts}: host name (`example.com`), with a
 * port (`example.com:8080`), a wildcard (`*.example.com`), or `"*"` for any
 * other host.
 */
export type HostTable = Record<string, HandlerLike>;

interface HostKey {
  name: string;
  /** Digits, or "" for any port. */
  port: string;
  wildcard: boolean;
}

function normalizeHost(key: string): HostKey {
  const wildcard = key.startsWith("*.");
  const rest = wildcard ? key.slice(2) : key;
  const bad = (hint: string) => new TypeError(`hosts: ${JSON.stringify(key)} is not a host name${hint}`);
  if (/[/@?#\s*]/.test(rest)) {
    let hint = "";
    try {
      if (key.includes("://")) hint = `; write ${JSON.stringify(new URL(key).host)}`;
    } catch { /* no hint then */ }
    throw bad(hint);
  }
  // The same reading as the request's host; a Unicode name first in punycode, as the URL parser writes it.
  const parts = readHost(rest) ?? readHost(toAscii(rest));
  if (parts === undefined) throw bad("");
  return { name: withoutTrailingDot(parts.name), port: parts.port, wildcard };
}

/** `rest` with its name as the URL parser writes a Unicode one (`bücher.example` is `xn--bcher-kva.example`). */
function toAscii(rest: string): string {
  const found = /^(.*?)(:\d*)?$/.exec(rest);
  try {
    return new URL(`http://${found?.[1]}/`).hostname + (found?.[2] ?? "");
  } catch {
    return rest;
  }
}

/** Whether the URL's scheme is `https`, in any case (a server may pass an absolute-form target as sent). */
const isHttps = (url: string) => url.charCodeAt(5) === 58 /* : */ && (url.charCodeAt(4) | 32) === 115; /* s */

const withoutTrailingDot = (name: string) => name.endsWith(".") ? name.slice(0, -1) : name;

/**
 * Dispatches on the request's host, the one in `request.url` (the servers
 * build it from the `Host` header, or take an absolute-form target's), read as
 * the URL parser reads it: exact names first, then wildcards from the
 * most specific (`*.example.com` matches `a.example.com` and
 * `a.b.example.com`, not `example.com`), then `"*"`. Names are
 * case-insensitive and a trailing dot is ignored; a key without a port
 * matches any port, a key with one only that port, compared as numbers (a
 * host without a port means the scheme's default, 80 or 443). An unknown
 * host (or one that is not a valid host) with no `"*"` is
 * answered 421 Misdirected Request (RFC 9110 §15.5.20: this server has no
 * site for that authority), which tells a client reusing a connection to try
 * a new one.
 *
 * Why `"*"` and not `default`: `default` is a valid single-label host name.
 *
 * @example Two sites and a fallback in one server
 * ```ts
 * import { hosts } from "@fetchkit/core";
 * const app = hosts({
 *   "example.com": () => new Response("main site"),
 *   "*.example.com": () => new Response("a tenant"),
 *   "*": () => new Response("unknown host", { status: 404 }),
 * });
 * await (await app(new Request("http://shop.example.com/"))).text(); // "a tenant"
 * ```
 */
export function hosts(table: HostTable): Handler {
  if (table === null || typeof table !== "object" || Array.isArray(table)) {
    throw new TypeError(`hosts: table must be an object from host name to handler, got ${describe(table)}`);
  }
  const exact = new Map<string, Handler>();
  const wildcards = new Map<string, Handler>();
  let withPorts = false;
  let other: Handler | undefined;
  const declaredAs = new Map<string, string>();
  for (const [key, app] of Object.entries(table)) {
    const handler = toHandler(app, `hosts: ${JSON.stringify(key)}`);
    if (key === "*") {
      other = handler;
      continue;
    }
    const { name, port, wildcard } = normalizeHost(key);
    const lookup = (wildcard ? "." : "") + name + (port ? `:${port}` : "");
    const twin = declaredAs.get(lookup);
    if (twin !== undefined) {
      throw new TypeError(`hosts: ${JSON.stringify(twin)} and ${JSON.stringify(key)} are the same host`);
    }
    declaredAs.set(lookup, key);
    if (port) withPorts = true;
    (wildcard ? wildcards : exact).set(lookup, handler);
  }

  return function hostDispatched(request: Request): Response | Promise<Response> {
    const url = request.url;
    const host = hostOfUrl(url);
    if (host === undefined) return other === undefined ? misdirected() : other(request);
    const name = withoutTrailingDot(host.name);
    let port = host.port;
    if (withPorts && port === "") port = isHttps(url) ? "443" : "80";
    let handler = (withPorts ? exact.get(`${name}:${port}`) : undefined) ?? exact.get(name);
    if (handler === undefined && wildcards.size > 0) {
      for (let dot = name.indexOf(".", 1); dot >= 0 && handler === undefined; dot = name.indexOf(".", dot + 1)) {
        const suffix = name.slice(dot);
        handler = (withPorts ? wildcards.get(`${suffix}:${port}`) : undefined) ?? wildcards.get(suffix);
      }
    }
    handler ??= other;
    return handler === undefined ? misdirected() : handler(request);
  };
}

/** RFC 9110 §15.5.20: this server has no site for that authority. */
function misdirected(): Response {
  return plainResponse(421, "Misdirected Request: this server has no site for that host");
}
