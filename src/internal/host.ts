/**
 * The one reading of a `Host` header or a URL's authority for the whole kit:
 * the servers refuse a Host this refuses, and `hosts()` compares the names and
 * ports this reads, so what a server lets through, what `new URL(request.url)`
 * sees and what `hosts()` dispatches on cannot disagree.
 *
 * The grammar is RFC 3986's authority as real clients send it: a reg-name of
 * `A-Z a-z 0-9 . _ ~ -`, or an IP-literal `[…]`, then optionally `:` and
 * digits up to 65535. No user info, percent-escapes or sub-delims (no client
 * sends them in a Host), no `/`, `\`, `#`, `@`, spaces or commas (two Hosts
 * joined into one). The name must also be one the WHATWG URL parser accepts
 * (`1.2.3.256`, `[:::]`, `example.123` and broken punycode are not), and it
 * is read the way that parser reads it: lower-cased, IPv4 in dotted decimal
 * (`127.1` is `127.0.0.1`), IPv6 compressed, a port as its number (`08443`
 * is `8443`).
 *
 * Why a char scan first: the check runs for every request, and a plain name
 * (lower-case letters, digits, dots, hyphens, not ending in a number, no
 * punycode) is exactly what the parser would return, so `new URL()` runs only
 * for the rare rest.
 *
 * @module
 */

/** A host as the URL parser reads it. */
export interface HostParts {
  /**
   * The name as `new URL(…).hostname` gives it: lower-case, IPv4 in dotted
   * decimal, IPv6 in brackets; a trailing dot is kept.
   */
  readonly name: string;
  /** The port in decimal without leading zeros, `""` when none was given. */
  readonly port: string;
}

const MAX_PORT = 65535;

/**
 * Reads a `Host` value or an authority (`name`, `name:port`, `[v6]:port`);
 * `undefined` when it is not a valid one (see the module's grammar).
 *
 * @example
 * ```ts ignore
 * readHost("Admin.Example.com:08443"); // { name: "admin.example.com", port: "8443" }
 * readHost("example.com:80@evil.com"); // undefined
 * ```
 */
export function readHost(value: string): HostParts | undefined {
  let end = value.length;
  let port = "";
  const colon = value.lastIndexOf(":");
  if (colon >= 0 && (value.charCodeAt(0) !== 91 /* [ */ || colon > value.lastIndexOf("]"))) {
    const read = readPort(value, colon + 1);
    if (read === undefined) return undefined;
    port = read;
    end = colon;
  }
  if (end === 0) return undefined;
  const name = value.charCodeAt(0) === 91 /* [ */ ? readIpLiteral(value, end) : readRegName(value, end);
  return name === undefined ? undefined : { name, port };
}

/**
 * The host of an absolute URL as written in it: the authority from after
 * `://` to the path, query or fragment, read by {@linkcode readHost}
 * (so user info makes it `undefined`); `undefined` for a URL without one.
 *
 * @example
 * ```ts ignore
 * hostOfUrl("http://Example.com:08443/x"); // { name: "example.com", port: "8443" }
 * ```
 */
export function hostOfUrl(url: string): HostParts | undefined {
  const start = authorityStart(url);
  return start < 0 ? undefined : readHost(url.slice(start, authorityEnd(url, start)));
}

/**
 * Whether `url` is an `http:` or `https:` URL whose authority is exactly
 * `host`, a Host {@linkcode readHost} accepted: the runtime wrote
 * `http://<Host><target>` (an origin-form request). A few compares, no scan:
 * such a Host holds no `/`, `?` or `#`, so the authority ends right after it.
 */
export function urlNamesHost(url: string, host: string): boolean {
  const start = url.startsWith("http://") ? 7 : url.startsWith("https://") ? 8 : -1;
  if (start < 0 || !url.startsWith(host, start)) return false;
  const next = url.charCodeAt(start + host.length);
  return next === 47 /* / */ || next === 63 /* ? */ || next === 35 /* # */ || Number.isNaN(next);
}

/** Whether `url` is an `http:` or `https:` URL with a valid authority (an absolute-form target). */
export function isHttpUrlWithHost(url: string): boolean {
  const start = authorityStart(url);
  return start >= 0 && isHttp(url, start) && readHost(url.slice(start, authorityEnd(url, start))) !== undefined;
}

/**
 * Why an HTTP/2 request cannot be served as addressed, or `undefined` when it
 * can (RFC 9113 §8.3.1): its `:authority` is the host, checked as a Host is
 * (`check`); a client that sent only a Host is read by it; and a Host beside
 * `:authority` must name the same host. `authority` and `host` are
 * `undefined` (or `""`, for `:authority`) when absent. The host to use is
 * then {@linkcode http2Host}.
 *
 * @example
 * ```ts ignore
 * authorityRefusal("example.com", undefined, new HostCheck()); // undefined
 * authorityRefusal("example.com", "evil.com", new HostCheck()); // "Host differs from :authority"
 * ```
 */
export function authorityRefusal(
  authority: string | undefined,
  host: string | undefined,
  check: HostCheck,
): string | undefined {
  const named = http2Host(authority, host);
  if (named === undefined) return "missing :authority and Host";
  if (!check.accepts(named)) return authority ? "invalid :authority" : "invalid Host header";
  if (!authority || host === undefined || host === authority) return undefined;
  const a = readHost(authority)!;
  const b = readHost(host);
  return b !== undefined && b.name === a.name && b.port === a.port ? undefined : "Host differs from :authority";
}

/** The host an HTTP/2 request names: its `:authority`, else its Host; `undefined` when neither is there. */
export function http2Host(authority: string | undefined, host: string | undefined): string | undefined {
  return authority || host || undefined;
}

/**
 * The Host check of one server: remembers the last Host it accepted, since
 * nearly every request to a server carries the same one; a string compare
 * then replaces the scan.
 *
 * @example
 * ```ts ignore
 * const check = new HostCheck();
 * check.accepts("example.com"); // true, and remembered
 * check.accepts("example.com/admin"); // false
 * ```
 */
export class HostCheck {
  /** Never `""` (an empty Host is invalid), so a first empty one is not taken as remembered. */
  #accepted: string | undefined = undefined;

  /** Whether `host` is a valid Host value. */
  accepts(host: string): boolean {
    if (host === this.#accepted) return true;
    if (readHost(host) === undefined) return false;
    this.#accepted = host;
    return true;
  }
}

/** Where the authority starts (after `://`), or -1. */
function authorityStart(url: string): number {
  const scheme = url.charCodeAt(4) === 58 /* : */ ? 4 : url.charCodeAt(5) === 58 ? 5 : url.indexOf(":");
  if (scheme < 0 || url.charCodeAt(scheme + 1) !== 47 || url.charCodeAt(scheme + 2) !== 47) return -1;
  return scheme + 3;
}

/** Where the authority ends: the first `/`, `?` or `#` after `start`, or the end. */
function authorityEnd(url: string, start: number): number {
  let end = start;
  for (; end < url.length; end++) {
    const code = url.charCodeAt(end);
    if (code === 47 /* / */ || code === 63 /* ? */ || code === 35 /* # */) break;
  }
  return end;
}

/** Whether the scheme before the authority at `start` is `http` or `https`, in any case. */
function isHttp(url: string, start: number): boolean {
  if (start === 7 && url.startsWith("http")) return true;
  if (start === 8 && url.startsWith("https")) return true;
  const scheme = url.slice(0, start - 3).toLowerCase();
  return scheme === "http" || scheme === "https";
}

/** The port's digits from `start` as its decimal number; `undefined` when empty, not digits or above 65535. */
function readPort(value: string, start: number): string | undefined {
  if (start === value.length) return undefined;
  let port = 0;
  for (let i = start; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    port = port * 10 + digit;
    if (port > MAX_PORT) return undefined;
  }
  return String(port);
}

/** `[…]` up to `end`, as the URL parser writes it; `undefined` when it is not an IPv6 address. */
function readIpLiteral(value: string, end: number): string | undefined {
  if (end < 3 || value.charCodeAt(end - 1) !== 93 /* ] */) return undefined;
  for (let i = 1; i < end - 1; i++) {
    const code = value.charCodeAt(i);
    const hex = (code >= 48 && code <= 58) /* 0-9 : */ || code === 46 /* . */ ||
      (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
    if (!hex) return undefined;
  }
  return parsedHostname(value.slice(0, end));
}

/**
 * A reg-name (or IPv4 address) up to `end`, as the URL parser reads it;
 * `undefined` when a character is outside the grammar or the parser refuses it.
 */
function readRegName(value: string, end: number): string | undefined {
  let upper = false;
  // The parser reads a name whose last label starts with a digit as IPv4 (`127.1`, `0x7f.1`), and
  // decodes `xn--` labels: both go to it.
  let plain = true;
  let labelStart = 0;
  let lastLabel = 0;
  for (let i = 0; i < end; i++) {
    const code = value.charCodeAt(i);
    if (code >= 97 && code <= 122) continue; // a-z
    if (code === 46 /* . */) {
      if (i + 1 < end) lastLabel = i + 1; // a trailing dot does not start a label
      labelStart = i + 1;
    } else if (code >= 65 && code <= 90) {
      upper = true;
    } else if (code === 45 /* - */) {
      if (i === labelStart + 3 && startsPunycode(value, labelStart)) plain = false;
    } else if (!((code >= 48 && code <= 57) || code === 95 /* _ */ || code === 126 /* ~ */)) {
      return undefined;
    }
  }
  const first = value.charCodeAt(lastLabel);
  if (first >= 48 && first <= 57) plain = false;
  const name = end === value.length ? value : value.slice(0, end);
  if (plain) return upper ? name.toLowerCase() : name;
  const parsed = parsedHostname(name);
  return parsed !== undefined && parsed.includes("xn--") ? checkedPunycode(parsed) : parsed;
}

/** Whether the label at `start` begins with `xn--`, in any case. */
function startsPunycode(value: string, start: number): boolean {
  return (value.charCodeAt(start) | 32) === 120 && (value.charCodeAt(start + 1) | 32) === 110 &&
    value.charCodeAt(start + 2) === 45 && value.charCodeAt(start + 3) === 45;
}

/** The URL parser's hostname for `name`, or `undefined` when it throws. */
function parsedHostname(name: string): string | undefined {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * `name` when each of its `xn--` labels is valid punycode that the parser
 * encodes back to the same label; `undefined` otherwise.
 *
 * Why: Node's URL parser accepts any `xn--` label (`xn--zz.com`), Deno's and
 * Bun's refuse one that does not decode; this makes all three refuse it.
 */
function checkedPunycode(name: string): string | undefined {
  const labels = name.split(".");
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i].startsWith("xn--")) continue;
    const decoded = decodePunycode(labels[i].slice(4));
    if (decoded === undefined) return undefined;
    labels[i] = decoded;
  }
  return parsedHostname(labels.join(".")) === name ? name : undefined;
}

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;

/** RFC 3492's decoding; `undefined` for input that is not punycode. */
function decodePunycode(input: string): string | undefined {
  const output: number[] = [];
  const delimiter = input.lastIndexOf("-");
  for (let j = 0; j < delimiter; j++) output.push(input.charCodeAt(j));
  let n = 128;
  let i = 0;
  let bias = 72;
  for (let at = delimiter > 0 ? delimiter + 1 : 0; at < input.length;) {
    const before = i;
    for (let w = 1, k = BASE;; k += BASE) {
      if (at >= input.length) return undefined;
      const digit = punycodeDigit(input.charCodeAt(at++));
      if (digit < 0) return undefined;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
      if (i > 0x10ffff * (output.length + 1) || w > 0x10ffff * BASE) return undefined;
    }
    bias = adapt(i - before, output.length + 1, before === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > 0x10ffff) return undefined;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}

function adapt(delta: number, points: number, first: boolean): number {
  delta = first ? Math.floor(delta / 700) : delta >> 1;
  delta += Math.floor(delta / points);
  let k = 0;
  for (; delta > ((BASE - T_MIN) * T_MAX) >> 1; k += BASE) delta = Math.floor(delta / (BASE - T_MIN));
  return k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + 38));
}

function punycodeDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 22; // 0-9 are 26-35
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 65 && code <= 90) return code - 65;
  return -1;
}
