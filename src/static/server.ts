/**
 * The state of one `serveStatic` handler, as an explicit record the named
 * functions of resolve.ts and respond.ts take: settings, caches, the source
 * (opened on first use for a directory path) and the log of errors reported.
 *
 * @module
 */
import { StaticCache } from "./cache.ts";
import type { StaticSettings } from "./options.ts";
import type { FileSource, FileSystemAccess } from "./source.ts";
import type { Coding } from "./variant.ts";

/** One handler's state. */
export interface StaticServer {
  readonly settings: StaticSettings;
  readonly cache: StaticCache;
  /** What `serveStatic` was given: a directory path, or the source itself. */
  readonly root: string | FileSource;
  /** Opens a directory path; `undefined` where the runtime has no file system. */
  readonly fileSystem: FileSystemAccess | undefined;
  /** The source once open. */
  source: FileSource | undefined;
  /** The filesystem source being opened. */
  loadingSource: Promise<FileSource> | undefined;
  /** Messages of the errors already reported (each reported once). */
  readonly logged: Set<string>;
  /** `codings|Accept-Encoding` → the coding negotiated, so repeated headers are parsed once. */
  readonly negotiated: Map<string, Coding>;
}

/** A fresh handler state for `root` with `settings`. */
export function createServer(
  root: string | FileSource,
  settings: StaticSettings,
  fileSystem: FileSystemAccess | undefined,
): StaticServer {
  return {
    settings,
    cache: new StaticCache(settings.cache),
    root,
    fileSystem,
    source: typeof root === "string" ? undefined : root,
    loadingSource: undefined,
    logged: new Set(),
    negotiated: new Map(),
  };
}

/** The source, synchronously once open; a directory path is opened on first use. */
export function sourceOf(server: StaticServer): FileSource | Promise<FileSource> {
  return server.source ?? (server.loadingSource ??= openSource(server));
}

function openSource(server: StaticServer): Promise<FileSource> {
  return server.fileSystem!.open(server.root as string, { followSymlinks: server.settings.followSymlinks })
    .then((loaded) => (server.source = loaded));
}

/** Hands an unexpected error to `onError`, once per distinct message (bounded). */
export function report(server: StaticServer, error: unknown): void {
  const key = String((error as Error)?.message ?? error);
  const logged = server.logged;
  if (logged.has(key)) return;
  if (logged.size >= 1000) logged.clear();
  logged.add(key);
  server.settings.onError(error);
}
