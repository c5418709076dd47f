/**
 * Worker entry for tests/static_workerd.test.ts: serveStatic inside a real
 * workerd over the in-memory manifest (injected by esbuild's define), and over
 * an R2 bucket and an Assets binding built here from the same manifest, since
 * a bare workerd offers neither binding.
 */
import { assetsSource, memorySource, r2Source, serveStatic, type StaticManifest } from "../../src/static/mod.ts";
import type { R2BucketLike, R2ObjectBodyLike, R2ObjectLike } from "../../src/static/mod.ts";

declare const __STATIC_MANIFEST__: StaticManifest;
const manifest = __STATIC_MANIFEST__;
const bytes = (path: string) => Uint8Array.from(atob(manifest.files[path].base64), (c) => c.charCodeAt(0));
const uploaded = new Date("2024-03-01T12:00:00Z");

const head = (key: string): R2ObjectLike | null =>
  manifest.files[key] ? { key, size: manifest.files[key].size, uploaded, etag: manifest.files[key].etag } : null;

const bucket: R2BucketLike = {
  head: (key) => Promise.resolve(head(key)),
  get(key, options) {
    const found = head(key);
    if (found === null) return Promise.resolve(null);
    const all = bytes(key);
    const part = options?.range ? all.subarray(options.range.offset, options.range.offset + options.range.length) : all;
    const object: R2ObjectBodyLike = {
      ...found,
      body: new Blob([part]).stream(),
      arrayBuffer: () => Promise.resolve(part.slice().buffer),
    };
    return Promise.resolve(object);
  },
  list({ prefix = "", delimiter }) {
    const objects: R2ObjectLike[] = [];
    const prefixes = new Set<string>();
    for (const key of Object.keys(manifest.files)) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = delimiter ? rest.indexOf(delimiter) : -1;
      if (slash === -1) objects.push(head(key)!);
      else prefixes.add(prefix + rest.slice(0, slash + 1));
    }
    return Promise.resolve({ objects, delimitedPrefixes: [...prefixes], truncated: false });
  },
};

const assets = {
  fetch(request: Request): Promise<Response> {
    const path = decodeURIComponent(new URL(request.url).pathname.slice(1));
    const file = manifest.files[path];
    if (!file) return Promise.resolve(new Response("nope", { status: 404 }));
    const headers = { etag: `"${file.etag}"`, "content-length": String(file.size) };
    if (request.method === "HEAD") return Promise.resolve(new Response(null, { headers }));
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.get("range") ?? "");
    const all = bytes(path);
    if (range) {
      const part = all.subarray(Number(range[1]), Number(range[2]) + 1);
      return Promise.resolve(new Response(part, { status: 206, headers: { "content-length": String(part.length) } }));
    }
    return Promise.resolve(new Response(all, { headers }));
  },
};

const handlers = {
  memory: serveStatic(memorySource(manifest), { listing: true }),
  r2: serveStatic(r2Source(bucket), { listing: true }),
  assets: serveStatic(assetsSource(assets)),
};

export default {
  fetch(request: Request): Response | Promise<Response> {
    const which = (request.headers.get("x-source") ?? "memory") as keyof typeof handlers;
    return handlers[which](request);
  },
};
