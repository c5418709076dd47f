/**
 * `hosts()`: virtual hosts by the `Host` header, Apache's `<VirtualHost>`
 * blocks for Fetch handlers.
 *
 * @module
 */

import { type Handler, type HandlerLike, toHandler } from "../handler.ts";
import { describe } from "../internal/describe.ts";
import { authority } from "../internal/url.ts";

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
  const found = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(rest);
  if (found === null || found[1] === "") throw bad("");
  let name: string;
  try {
    // The URL parser lower-cases, turns IDNs into punycode and checks the characters.
    name = new URL(`http://${found[1]}`).hostname;
  } catch {
    throw bad("");
  }
  if (name.endsWith(".")) name = name.slice(0, -1);
  const port = found[2] === undefined ? "" : String(Number(found[2]));
  if (Number(port) > 65535) throw bad("");
  return { name, port, wildcard };
}

/** The request's host, lower-cased: the `Host` header, else the URL's authority. */
function requestHost(request: Request, url: string): string {
  const header = request.headers.get("host");
  return (header ?? authority(url)).toLowerCase();
}

/**
 * Dispatches on the `Host` header: exact names first, then wildcards from the
 * most specific (`*.example.com` matches `a.example.com` and
 * `a.b.example.com`, not `example.com`), then `"*"`. Names are
 * case-insensitive and a trailing dot is ignored; a key without a port
 * matches any port, a key with one only that port (a Host without a port
 * means the scheme's default, 80 or 443). An unknown host with no `"*"` is
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
    const host = requestHost(request, url);
    let name = host;
    let port = "";
    const colon = host.lastIndexOf(":");
    if (colon > host.lastIndexOf("]")) {
      name = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
    if (name.endsWith(".")) name = name.slice(0, -1);
    if (withPorts && port === "") port = url.startsWith("https:") ? "443" : "80";
    let handler = (withPorts ? exact.get(`${name}:${port}`) : undefined) ?? exact.get(name);
    if (handler === undefined && wildcards.size > 0) {
      for (let dot = name.indexOf(".", 1); dot >= 0 && handler === undefined; dot = name.indexOf(".", dot + 1)) {
        const suffix = name.slice(dot);
        handler = (withPorts ? wildcards.get(`${suffix}:${port}`) : undefined) ?? wildcards.get(suffix);
      }
    }
    handler ??= other;
    if (handler !== undefined) return handler(request);
    return new Response("Misdirected Request: this server has no site for that host\n", {
      status: 421,
      headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
    });
  };
}
