/**
 * The Workers Static Assets binding (`env.ASSETS`) as a file source. The
 * binding only offers `fetch`, so stat is a HEAD and a range a Range request;
 * the HTTP logic above stays fetchkit's (same validators, ranges, encodings
 * and cache policy as on every other runtime).
 *
 * @module
 */
import { FileAccessError, type FileSource } from "../source.ts";

/** Anything with a Fetch-style `fetch`: the Assets binding, a service binding. */
export interface AssetsBindingLike {
  /** Answers a request for one asset. */
  fetch(request: Request): Promise<Response>;
}

const ORIGIN = "https://assets.invalid/";

function assetRequest(path: string, init: RequestInit = {}): Request {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return new Request(ORIGIN + encoded, { redirect: "manual", ...init });
}

/**
 * A {@linkcode FileSource} over the Static Assets binding. Only files are
 * known to it (no directories besides the root, no listing); configure the
 * binding with `html_handling: "none"` so that it answers paths as asked.
 *
 * @example A Worker serving its assets under /static
 * ```ts
 * import { assetsSource } from "@fetchkit/core/static";
 * import { mount, serveStatic } from "@fetchkit/core";
 * import type { AssetsBindingLike } from "@fetchkit/core/static";
 * export default {
 *   fetch(request: Request, env: { ASSETS: AssetsBindingLike }) {
 *     return mount({ "/static": serveStatic(assetsSource(env.ASSETS)) })(request);
 *   },
 * };
 * ```
 */
export function assetsSource(binding: AssetsBindingLike): FileSource {
  if (typeof binding?.fetch !== "function") {
    throw new TypeError("assetsSource: binding must be the Static Assets binding (an object with fetch)");
  }
  const get = async (path: string, headers?: Record<string, string>): Promise<Response> => {
    const response = await binding.fetch(assetRequest(path, { headers }));
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new FileAccessError(`asset answered ${response.status}`, 404);
    }
    return response;
  };
  return {
    async stat(path) {
      if (path === "") return { kind: "directory", size: 0, mtimeMs: NaN };
      const response = await binding.fetch(assetRequest(path, { method: "HEAD" }));
      await response.body?.cancel();
      if (response.status !== 200) return undefined;
      const length = response.headers.get("content-length");
      const modified = response.headers.get("last-modified");
      return {
        kind: "file",
        size: length === null ? 0 : Number(length),
        mtimeMs: modified === null ? NaN : Date.parse(modified),
        etag: response.headers.get("etag") ?? undefined,
      };
    },
    async body(path, start, end, stat) {
      const whole = start === 0 && end === stat.size;
      const response = await get(path, whole ? undefined : { range: `bytes=${start}-${end - 1}` });
      if (!whole && response.status !== 206) {
        // The binding ignored the range: cut it ourselves, still streaming.
        return response.body!.pipeThrough(slicer(start, end));
      }
      return response.body ?? new Uint8Array(0);
    },
    async read(path) {
      return new Uint8Array(await (await get(path)).arrayBuffer());
    },
  };
}

/** Passes through only bytes `[start, end)` of a stream. */
function slicer(start: number, end: number): TransformStream<Uint8Array, Uint8Array> {
  let offset = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(end - offset, chunk.length);
      offset += chunk.length;
      if (to > from) controller.enqueue(chunk.subarray(from, to));
      if (offset >= end) controller.terminate();
    },
  });
}
