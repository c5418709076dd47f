/**
 * The two in-memory caches of `serveStatic`: the stat cache (raw URL path →
 * entry, bounded by count, oldest out first) and the body cache (small files'
 * bytes, bounded by a memory budget, least recently used out first).
 *
 * @module
 */
import { runtime } from "../internal/runtime.ts";
import type { StaticCacheOptions } from "./options.ts";
import type { Entry, FileEntry, Variant } from "./variant.ts";

/**
 * On Deno and Bun, cloning a prebuilt Response skips header validation and
 * costs a fraction of `new Response(bytes, init)` (measured 0.7 µs against
 * 4.9 µs on Deno, 0.2 against 0.9 on Bun), and their clones of a bytes body
 * stay independent. Node's fetch clones by teeing a stream, so not there.
 */
export const CLONE_TEMPLATES: boolean = runtime === "bun" || runtime === "deno";

/**
 * On Node, a cached body is kept as a prepared answer instead
 * (src/internal/prepared.ts): fetchkit's own Node server writes it without
 * building a Response or Headers. Not on Workers, whose Response needs the
 * `encodeBody` option a prepared answer does not carry.
 */
const PREPARE_ANSWERS = runtime === "node";

/** The stat cache and the body cache of one handler. */
export class StaticCache {
  /** Body budget in bytes. */
  readonly maxBytes: number;
  /** Largest body kept. */
  readonly maxFileBytes: number;
  /** Milliseconds an entry is trusted. */
  readonly statTtl: number;
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Raw URL path → entry, in insertion order (the oldest first out). */
  readonly entries: Map<string, Entry> = new Map();
  /** Raw URL path → its resolution in progress, so concurrent misses share one. */
  readonly pending: Map<string, Promise<Entry>> = new Map();
  /**
   * Variant → the weight of its body, in use order. An approximate LRU (second
   * chance, as CLOCK): a hit only sets `variant.hit`, the eviction loop moves
   * flagged bodies to the young end instead of dropping them. A hit costs one
   * property write instead of a Map delete and set.
   */
  readonly #bodies: Map<Variant, number> = new Map();
  #cachedBytes = 0;
  /** Variant → the raw URL path whose entry holds it. */
  readonly #owners: WeakMap<Variant, string> = new WeakMap();

  /** A cache with the limits of `options` (defaults filled in). */
  constructor(options: Required<StaticCacheOptions>) {
    this.maxBytes = options.maxBytes;
    this.maxFileBytes = options.maxFileBytes;
    this.statTtl = options.statTtl;
    this.maxEntries = options.maxEntries;
  }

  /**
   * Takes in a fresh resolution of `rawPath`: `stale` is the entry it
   * replaces, whose unchanged bodies it keeps. A 500 is not remembered (the
   * next request tries again).
   */
  settle(rawPath: string, entry: Entry, stale: Entry | undefined): Entry {
    if (entry.kind === "file") {
      for (const v of entry.variants) this.#owners.set(v, rawPath);
      if (stale?.kind === "file") this.#carryBodies(stale, entry);
    }
    if (!(entry.kind === "status" && entry.status === 500)) this.#remember(rawPath, entry);
    return entry;
  }

  /**
   * Takes back `entry`, found unchanged since it expired: still the entry of
   * `rawPath`, moved to the young end; one evicted meanwhile is taken in anew.
   */
  renew(rawPath: string, entry: FileEntry): Entry {
    const current = this.entries.get(rawPath);
    if (current === undefined) return this.settle(rawPath, entry, undefined);
    if (current !== entry) return current;
    this.entries.delete(rawPath);
    this.entries.set(rawPath, entry);
    return entry;
  }

  /** Drops an entry and the bodies it holds, so the body budget only counts reachable files. */
  forget(rawPath: string): boolean {
    const old = this.entries.get(rawPath);
    if (old === undefined) return false;
    this.entries.delete(rawPath);
    if (old.kind === "file") { for (const v of old.variants) this.#dropBody(v); }
    return true;
  }

  #remember(rawPath: string, entry: Entry): void {
    if (this.maxEntries === 0 || this.statTtl === 0) return;
    if (!this.forget(rawPath) && this.entries.size >= this.maxEntries) this.forget(this.entries.keys().next().value!);
    this.entries.set(rawPath, entry);
  }

  /** True while `v` belongs to the entry its path currently has (no newer resolution replaced it). */
  isCurrent(v: Variant): boolean {
    const owner = this.#owners.get(v);
    const entry = owner === undefined ? undefined : this.entries.get(owner);
    return entry !== undefined && entry.kind === "file" && entry.variants.includes(v);
  }

  /** Keeps `body` as the bytes of `v` if it fits, evicting bodies not used lately to make room. */
  keepBody(v: Variant, body: Uint8Array<ArrayBuffer>): void {
    if (body.length > this.maxFileBytes) return;
    // With a template Response the bytes are held twice (the Response keeps its own copy).
    const weight = CLONE_TEMPLATES ? 2 * body.length : body.length;
    if (weight > this.maxBytes) return;
    this.#makeRoom(weight);
    v.body = body;
    v.hit = false;
    v.template = CLONE_TEMPLATES ? new Response(body, v.ok) : undefined;
    v.answer = PREPARE_ANSWERS ? { status: 200, head: v.heads.full, extra: undefined, body } : undefined;
    this.#bodies.set(v, weight);
    this.#cachedBytes += weight;
  }

  /**
   * Keeps `response`, a 206 of `length` bytes of `v`'s cached body for the
   * Range `range`, to clone for the next same request (only while the body
   * itself is cached; it replaces the one kept before).
   */
  keepPartial(v: Variant, range: string, response: Response, length: number): void {
    if (!this.#bodies.has(v)) return;
    this.#dropPartial(v);
    this.#makeRoom(length);
    // Making room may have evicted the body itself.
    const weight = this.#bodies.get(v);
    if (weight === undefined) return;
    v.partialTemplate = { range, response, weight: length };
    this.#bodies.set(v, weight + length);
    this.#cachedBytes += length;
  }

  #dropPartial(v: Variant): void {
    const kept = v.partialTemplate;
    const weight = this.#bodies.get(v);
    if (kept === undefined || weight === undefined) return;
    v.partialTemplate = undefined;
    this.#bodies.set(v, weight - kept.weight);
    this.#cachedBytes -= kept.weight;
  }

  #makeRoom(weight: number): void {
    const bodies = this.#bodies;
    while (this.#cachedBytes + weight > this.maxBytes && bodies.size > 0) {
      const oldest = bodies.keys().next().value!;
      if (oldest.hit) {
        oldest.hit = false;
        const kept = bodies.get(oldest)!;
        bodies.delete(oldest);
        bodies.set(oldest, kept);
      } else {
        this.#dropBody(oldest);
      }
    }
  }

  #dropBody(v: Variant): void {
    const size = this.#bodies.get(v);
    if (size === undefined) return;
    this.#bodies.delete(v);
    this.#cachedBytes -= size;
    v.body = undefined;
    v.template = undefined;
    v.answer = undefined;
    v.partialTemplate = undefined;
    v.partialAnswer = undefined;
  }

  /** An unchanged file keeps its cached body across revalidation. */
  #carryBodies(old: FileEntry, fresh: FileEntry): void {
    for (const v of fresh.variants) {
      const before = old.variants.find((o) => o.encoding === v.encoding && o.path === v.path);
      if (before?.body !== undefined && before.etag === v.etag && before.stat.size === v.stat.size) {
        const body = before.body;
        this.#dropBody(before);
        this.keepBody(v, body);
      }
    }
  }
}
