/**
 * From a request's canonical path to an entry: the cold path. The path is
 * decoded once, checked (malformed, dotfiles), stat'ed (retried in the other
 * Unicode normal form), and a directory becomes its index file, its listing
 * or a redirect to the slashed URL. Results are kept in the stat cache.
 *
 * @module
 */
import { type Encoding, ENCODING_EXTENSIONS } from "./encoding.ts";
import { decodePath, hasDotSegment } from "./path.ts";
import { report, sourceOf, type StaticServer } from "./server.ts";
import { FileAccessError, type FileSource, type FileStat } from "./source.ts";
import { type Entry, type FileEntry, fileEntry, otherEntry } from "./variant.ts";

/**
 * The entry of `rawPath`: synchronously from the stat cache while fresh,
 * else from a resolution shared by every request for the path meanwhile.
 */
export function lookup(server: StaticServer, rawPath: string, now: number): Entry | Promise<Entry> {
  const cache = server.cache;
  const hit = cache.entries.get(rawPath);
  if (hit !== undefined && now - hit.checkedAt < cache.statTtl) return hit;
  return revalidate(server, rawPath, hit);
}

function revalidate(server: StaticServer, rawPath: string, stale: Entry | undefined): Promise<Entry> {
  const pending = server.cache.pending;
  let job = pending.get(rawPath);
  if (job === undefined) {
    job = (stale?.kind === "file" ? refresh(server, rawPath, stale) : resolveAgain(server, rawPath, stale))
      .finally(() => pending.delete(rawPath));
    pending.set(rawPath, job);
  }
  return job;
}

async function resolveAgain(server: StaticServer, rawPath: string, stale: Entry | undefined): Promise<Entry> {
  return server.cache.settle(rawPath, await resolve(server, rawPath), stale);
}

/**
 * An expired file entry: fresh again when the source confirms each variant
 * is the file it checked (one stat of the file and of its folder, against
 * the ten or so calls of a full resolution), else resolved again in full.
 */
async function refresh(server: StaticServer, rawPath: string, stale: FileEntry): Promise<Entry> {
  const checkedAt = Date.now();
  if (!(await unchanged(server, stale))) return resolveAgain(server, rawPath, stale);
  stale.checkedAt = checkedAt;
  return server.cache.renew(rawPath, stale);
}

async function unchanged(server: StaticServer, entry: FileEntry): Promise<boolean> {
  const src = await sourceOf(server);
  if (src.unchanged === undefined) return false;
  try {
    const answers = await Promise.all(entry.variants.map((v) => src.unchanged!(v.path, v.stat)));
    return answers.every((same) => same);
  } catch (error) {
    report(server, error);
    return false;
  }
}

/** Resolves `rawPath` (canonical, starting with `/`) against the source. */
export async function resolve(server: StaticServer, rawPath: string): Promise<Entry> {
  const now = Date.now();
  const segments = decodePath(rawPath);
  if (typeof segments === "string") return otherEntry("status", 400, "", now);
  const dotfiles = server.settings.dotfiles;
  if (dotfiles !== "allow" && hasDotSegment(segments)) return otherEntry("status", dotfiles === "deny" ? 403 : 404);
  const src = await sourceOf(server);
  const [path, found] = await statInAnyForm(server, src, segments.join("/"));
  const trailingSlash = rawPath.endsWith("/");
  if (found === undefined) {
    if (server.settings.cleanUrls && !trailingSlash) return await resolveCleanUrl(server, src, path, now);
    return otherEntry("status", 404, "", now);
  }
  if (typeof found === "number") return otherEntry("status", found, "", now);
  if (found.kind === "file") {
    if (trailingSlash && segments.length > 0) return otherEntry("status", 404, "", now);
    if (server.settings.cleanUrls) {
      const location = await cleanLocation(server, src, rawPath, path);
      if (location !== undefined) return { ...otherEntry("redirect", 301, path, now), location };
    }
    return await resolveFile(server, src, path, found, now);
  }
  if (!trailingSlash) return otherEntry("redirect", 301, path, now);
  return await resolveDirectory(server, src, path, now);
}

/** A clean URL: `/about` is `about.html` when there is no `about` (`path` is the decoded file path). */
async function resolveCleanUrl(server: StaticServer, src: FileSource, path: string, now: number): Promise<Entry> {
  if (path.endsWith(".html")) return otherEntry("status", 404, "", now);
  const page = await statOrStatus(server, src, `${path}.html`);
  if (typeof page === "object" && page.kind === "file") {
    return await resolveFile(server, src, `${path}.html`, page, now);
  }
  return otherEntry("status", typeof page === "number" && page !== 404 ? page : 404, "", now);
}

/**
 * Where a clean URL redirects `…/about.html` (to `…/about`) and
 * `…/index.html` (to `…/`): only when that URL serves this very file, so
 * never when an `about` file or folder is there too.
 */
async function cleanLocation(
  server: StaticServer,
  src: FileSource,
  rawPath: string,
  path: string,
): Promise<string | undefined> {
  if (!rawPath.endsWith(".html")) return undefined;
  if (rawPath.endsWith("/index.html") && server.settings.indexNames[0] === "index.html") {
    return rawPath.slice(0, -"index.html".length);
  }
  const bare = path.slice(0, -".html".length);
  if (bare === "" || bare.endsWith("/") || (await statOrStatus(server, src, bare)) !== undefined) return undefined;
  return rawPath.slice(0, -".html".length);
}

/** A directory asked for with its slash: its first index file, else its listing, else 404. */
async function resolveDirectory(server: StaticServer, src: FileSource, path: string, now: number): Promise<Entry> {
  for (const name of server.settings.indexNames) {
    const indexPath = path === "" ? name : `${path}/${name}`;
    const index = await statOrStatus(server, src, indexPath);
    if (typeof index === "object" && index.kind === "file") {
      return await resolveFile(server, src, indexPath, index, now);
    }
    if (typeof index === "number" && index !== 404) return otherEntry("status", index, "", now);
  }
  if (server.settings.listing && src.list) return otherEntry("listing", 200, path, now);
  return otherEntry("status", 404, "", now);
}

/** The entry of a file, with the precompressed siblings it has. */
async function resolveFile(
  server: StaticServer,
  src: FileSource,
  path: string,
  stat: FileStat,
  now: number,
): Promise<Entry> {
  const siblings: [Encoding, FileStat][] = [];
  for (const encoding of server.settings.precompressed) {
    const found = await statOrStatus(server, src, path + ENCODING_EXTENSIONS[encoding]);
    if (typeof found === "object" && found.kind === "file") siblings.push([encoding, found]);
  }
  const headers = { source: src.headers, cacheControlFor: server.settings.cacheControlFor };
  return fileEntry(path, stat, siblings, headers, now);
}

/**
 * Stats `wanted`, and when it is missing and not ASCII, the same name in the
 * other Unicode normal form (macOS writes NFD): the path found and its stat.
 */
async function statInAnyForm(
  server: StaticServer,
  src: FileSource,
  wanted: string,
): Promise<[string, FileStat | number | undefined]> {
  const found = await statOrStatus(server, src, wanted);
  if (found !== undefined || isAscii(wanted)) return [wanted, found];
  for (const form of ["NFC", "NFD"] as const) {
    const alternative = wanted.normalize(form);
    if (alternative === wanted) continue;
    const other = await statOrStatus(server, src, alternative);
    if (other !== undefined) return [alternative, other];
  }
  return [wanted, undefined];
}

/** A stat, or the status of a failed one: a FileAccessError's, or 500 (reported) for anything else. */
async function statOrStatus(
  server: StaticServer,
  src: FileSource,
  path: string,
): Promise<FileStat | number | undefined> {
  try {
    return await src.stat(path);
  } catch (error) {
    if (error instanceof FileAccessError) return error.status;
    report(server, error);
    return 500;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
