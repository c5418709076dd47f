/**
 * From an entry to a Response: a file (preconditions, then Range, then the
 * whole content: as Go's net/http serveContent), a directory listing, a
 * directory redirect, or a miss.
 *
 * @module
 */
import { context } from "../context.ts";
import { plainResponse } from "../internal/http.ts";
import { preparedResponse } from "../internal/prepared.ts";
import { rawPath as rawPathOf, rawQuery } from "../internal/url.ts";
import { pass } from "../pass.ts";
import { checkPreconditions, ifRangeMatches } from "./conditional.ts";
import { negotiateEncoding } from "./encoding.ts";
import { renderListing } from "./listing.ts";
import { notFoundPage, wantsNotFoundPage } from "./not_found_page.ts";
import { multipartBytes, multipartLayout, multipartStream } from "./multipart.ts";
import { type ByteRange, parseRange, type RangeResult } from "./range.ts";
import { lookup } from "./resolve.ts";
import { report, sourceOf, type StaticServer } from "./server.ts";
import { FileAccessError } from "./source.ts";
import { type Entry, type FileEntry, manualEncoding, type OtherEntry, type Variant } from "./variant.ts";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
};

/** A short plain-text answer with the status's reason. */
export function plain(status: number, headers: Record<string, string> = {}): Response {
  return plainResponse(status, REASONS[status], headers);
}

/**
 * No file to serve: in middleware mode a 404 or 400 passes the request on;
 * a browser's 404 in development gets the page that names the path.
 */
export function miss(server: StaticServer, status: number, request?: Request): Response {
  if (server.settings.fallthrough && (status === 404 || status === 400)) return pass();
  if (status === 404 && wantsNotFoundPage(server, request)) return notFoundPage(server, request);
  return plain(status);
}

/**
 * The 200 of a variant whose `body` is in memory: a clone of its template
 * where that is cheap, its prepared answer on Node.
 */
export function fromMemory(v: Variant, body: Uint8Array<ArrayBuffer>): Response {
  v.hit = true;
  if (v.template !== undefined) return v.template.clone();
  return v.answer !== undefined ? preparedResponse(v.answer) : new Response(body, v.ok);
}

/**
 * The response for `found`, the entry of `rawPath`. A body that throws a 404
 * FileAccessError (the file vanished, or was swapped for a symlink, since it
 * was checked) makes the path be resolved once more, and answered as that says.
 */
export async function respond(
  server: StaticServer,
  request: Request,
  rawPath: string,
  isHead: boolean,
  found: Entry | Promise<Entry>,
  recheck = true,
): Promise<Response> {
  try {
    const entry = await found;
    switch (entry.kind) {
      case "file":
        return await serveFile(server, request, isHead, entry);
      case "redirect":
        return entry.location === undefined
          ? redirect(server, request, rawPath)
          : redirectTo(server, request, entry.location);
      case "listing":
        return await serveListing(server, request, entry, isHead);
      default:
        return miss(server, entry.status, request);
    }
  } catch (error) {
    if (error instanceof FileAccessError) {
      server.cache.forget(rawPath);
      // The file vanished or is not the one checked (replaced, or swapped for a symlink):
      // check the path again, once, and answer as that check says.
      if (error.status === 404 && recheck) {
        return respond(server, request, rawPath, isHead, lookup(server, rawPath, Date.now()), false);
      }
      return miss(server, error.status, request);
    }
    report(server, error);
    return plain(500);
  }
}

/** 301 to the directory's URL with its slash (the query kept). */
export function redirect(server: StaticServer, request: Request, rawPath: string): Response {
  return redirectTo(server, request, `${rawPath}/`);
}

/** 301 to `target`, a raw path below the mount (the query kept). */
export function redirectTo(server: StaticServer, request: Request, target: string): Response {
  // Collapse leading slashes: `//evil.example` must not become a protocol-relative Location.
  let start = 0;
  while (target.charCodeAt(start + 1) === 0x2f) start++;
  const location = `${context(request).base}${target.slice(start)}${rawQuery(request.url)}`;
  let safe: string;
  try {
    // Deno hands over a raw UTF-8 request target undecoded (`/café`): encode what a header cannot carry.
    safe = location.replace(/[^\x21-\x7e]+/g, encodeURI);
  } catch {
    return miss(server, 400); // a lone surrogate: no URL to redirect to
  }
  return new Response(null, { status: 301, headers: { location: safe, "content-length": "0" } });
}

async function serveFile(server: StaticServer, request: Request, isHead: boolean, entry: FileEntry): Promise<Response> {
  const v = pickVariant(server, request, entry);
  const headers = request.headers;
  const precondition = checkPreconditions(headers, v.etag, v.lastModified);
  if (precondition === 412) return plain(412, v.notModified);
  if (precondition === 304) return new Response(null, { status: 304, headers: v.notModified });
  if (!isHead) {
    const ranges = requestedRanges(headers, v, server.settings.maxRanges);
    if (ranges === "unsatisfiable") {
      return plain(416, { "content-range": `bytes */${v.stat.size}`, "accept-ranges": "bytes", ...v.notModified });
    }
    if (ranges !== "ignore") return await servePartial(server, v, ranges);
  }
  return await serveContent(server, v, isHead);
}

/** The variant Accept-Encoding asks for (negotiations memoised per header value). */
function pickVariant(server: StaticServer, request: Request, entry: FileEntry): Variant {
  const variants = entry.variants;
  if (variants.length === 1) return variants[0];
  const header = request.headers.get("accept-encoding");
  if (header === null) return variants[0];
  const memo = server.negotiated;
  const memoKey = `${entry.codings.join(",")}|${header}`;
  let coding = memo.get(memoKey);
  if (coding === undefined) {
    coding = negotiateEncoding(header, entry.codings);
    if (memo.size >= 256) memo.clear();
    memo.set(memoKey, coding);
  }
  if (coding === "identity") return variants[0];
  for (const v of variants) if (v.encoding === coding) return v;
  return variants[0];
}

/** The ranges to serve: none (`"ignore"`) without Range, or when If-Range names another representation. */
function requestedRanges(headers: Headers, v: Variant, maxRanges: number): RangeResult {
  const range = headers.get("range");
  if (range === null) return "ignore";
  const ifRange = headers.get("if-range");
  if (ifRange !== null && !ifRangeMatches(ifRange, v.etag, v.lastModified)) return "ignore";
  return parseRange(range, v.stat.size, maxRanges);
}

/** The whole variant: from memory, read into memory when small enough, else streamed. */
async function serveContent(server: StaticServer, v: Variant, isHead: boolean): Promise<Response> {
  if (isHead) return new Response(null, v.ok);
  if (v.body !== undefined) return fromMemory(v, v.body);
  const size = v.stat.size;
  if (cacheable(server, v)) {
    const bytes = await loadBody(server, v);
    if (bytes !== undefined) return new Response(bytes, v.ok);
  }
  return new Response(await (await sourceOf(server)).body(v.path, 0, size, v.stat), v.ok);
}

/** Reads a small variant whole, once for concurrent requests; `undefined` means stream it instead. */
function loadBody(server: StaticServer, v: Variant): Promise<Uint8Array<ArrayBuffer> | undefined> {
  v.loading ??= readBody(server, v).finally(() => (v.loading = undefined));
  return v.loading;
}

async function readBody(server: StaticServer, v: Variant): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    const bytes = await (await sourceOf(server)).read(v.path, v.stat);
    if (bytes.length !== v.stat.size) return undefined; // changed since stat: stream it this time
    // Only remember it if this variant is still the current one.
    if (server.cache.isCurrent(v)) server.cache.keepBody(v, bytes);
    return bytes;
  } catch {
    return undefined; // fall back to streaming, which reports properly
  }
}

/** Whether `v` is small enough for the body cache. */
function cacheable(server: StaticServer, v: Variant): boolean {
  return v.stat.size <= server.cache.maxFileBytes && server.cache.maxBytes > 0;
}

/**
 * 206: one range as it is, several as multipart/byteranges. A small file
 * asked only by ranges is read whole into the body cache as a plain GET
 * would, so its next ranges come from memory (and the hot path).
 */
async function servePartial(server: StaticServer, v: Variant, ranges: ByteRange[]): Promise<Response> {
  const src = await sourceOf(server);
  const whole = v.body ?? (cacheable(server, v) ? await loadBody(server, v) : undefined);
  const slice = (start: number, end: number): BodyInit | Promise<BodyInit> =>
    whole !== undefined ? whole.subarray(start, end) : src.body(v.path, start, end, v.stat);
  const { "content-length": _, ...rest } = v.full;
  if (ranges.length === 1) {
    const { start, end } = ranges[0];
    return new Response(await slice(start, end), {
      status: 206,
      headers: {
        ...rest,
        "content-length": String(end - start),
        "content-range": `bytes ${start}-${end - 1}/${v.stat.size}`,
      },
      ...manualEncoding(v.encoding),
    });
  }
  return serveMultipart(v, ranges, rest, slice);
}

function serveMultipart(
  v: Variant,
  ranges: ByteRange[],
  rest: Record<string, string>,
  slice: (start: number, end: number) => BodyInit | Promise<BodyInit>,
): Response {
  const layout = multipartLayout(ranges, v.stat.size, v.full["content-type"]);
  const { "content-encoding": __, "content-type": ___, ...framing } = rest;
  const headers: Record<string, string> = {
    ...framing,
    "content-type": layout.contentType,
    "content-length": String(layout.length),
  };
  if (v.encoding !== "identity") headers["content-encoding"] = v.encoding;
  const body = v.body !== undefined
    ? multipartBytes(layout, ranges, v.body)
    : multipartStream(layout, ranges, ({ start, end }) => slice(start, end));
  return new Response(body, {
    status: 206,
    headers,
    ...manualEncoding(v.encoding),
  });
}

/** The HTML listing of a directory without an index file (dotfiles hidden unless allowed). */
async function serveListing(
  server: StaticServer,
  request: Request,
  entry: OtherEntry,
  isHead: boolean,
): Promise<Response> {
  const src = await sourceOf(server);
  const children = await src.list!(entry.path);
  const visible = server.settings.dotfiles === "allow" ? children : children.filter((c) => !c.name.startsWith("."));
  let title = rawPathOf(request.url);
  try {
    title = decodeURIComponent(context(request).base + title);
  } catch { /* shown raw */ }
  const html = renderListing(title, visible, entry.path === "");
  return new Response(isHead ? null : html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "content-length": String(new TextEncoder().encode(html).length),
    },
  });
}
