/**
 * A prefix trie keyed by raw path segments, built once at construction.
 *
 * A lookup walks the request path one segment at a time, so its cost depends
 * on the depth of the path, never on how many prefixes are mounted; it stops
 * at the first segment no prefix continues with. Because matching is per
 * segment, `/static` can match `/static` and `/static/a` but never
 * `/staticky`, and declaration order plays no part.
 *
 * Segments are compared in place inside the URL string (`startsWith` at an
 * offset), never sliced out: a lookup allocates nothing. A node with many
 * children finds the candidate through an open-addressing hash table of its
 * own (FNV-1a over the segment's characters), one with few by a short scan.
 *
 * @module
 */

/** Up to this many children a scan beats hashing. */
const scanLimit = 8;

/** One node: the value mounted exactly here, and the segments that continue. */
export interface TrieNode<T> {
  value: T | undefined;
  /** Child segments (raw, percent-encoded), parallel to `children`. */
  segments: string[];
  children: TrieNode<T>[];
  /** Open-addressing table: child index + 1 per slot, 0 for empty; only past `scanLimit` children. */
  slots: Int32Array | undefined;
}

// Leaves (most nodes of a big table) share these two, frozen: 100,000 mounts are not 200,000 empty arrays for
// the garbage collector to trace.
const noSegments: string[] = Object.freeze([]) as unknown as string[];
const noChildren: TrieNode<never>[] = Object.freeze([]) as unknown as TrieNode<never>[];

function node<T>(): TrieNode<T> {
  return { value: undefined, segments: noSegments, children: noChildren, slots: undefined };
}

/** FNV-1a over `text[from, to)`. */
function hash(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Gives a node with many children its hash table. */
function index<T>(parent: TrieNode<T>): void {
  const count = parent.segments.length;
  if (count <= scanLimit) return;
  let size = 16;
  while (size < count * 2) size *= 2;
  const slots = new Int32Array(size);
  const mask = size - 1;
  for (let i = 0; i < count; i++) {
    const segment = parent.segments[i];
    let slot = hash(segment, 0, segment.length) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = i + 1;
  }
  parent.slots = slots;
}

/** The child of `parent` for the segment `url[from, to)`, or `undefined`. */
function child<T>(parent: TrieNode<T>, url: string, from: number, to: number): TrieNode<T> | undefined {
  const length = to - from;
  const segments = parent.segments;
  const slots = parent.slots;
  if (slots === undefined) {
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (segment.length === length && url.startsWith(segment, from)) return parent.children[i];
    }
    return undefined;
  }
  const mask = slots.length - 1;
  for (let slot = hash(url, from, to) & mask;; slot = (slot + 1) & mask) {
    const found = slots[slot];
    if (found === 0) return undefined;
    const segment = segments[found - 1];
    if (segment.length === length && url.startsWith(segment, from)) return parent.children[found - 1];
  }
}

/**
 * Builds the trie from normalized prefixes (`/` or `/a/b`, no trailing slash),
 * then calls `link(value, shorter)` for every value with the value of its
 * nearest shorter prefix (or `undefined`), which dispatch falls through to.
 */
export function buildTrie<T>(
  entries: Iterable<readonly [prefix: string, value: T]>,
  link: (value: T, shorter: T | undefined) => void,
): TrieNode<T> {
  const root = node<T>();
  // Construction-time lookups by segment; dropped once the trie is built.
  const byName = new Map<TrieNode<T>, Map<string, TrieNode<T>>>();
  for (const [prefix, value] of entries) {
    let at = root;
    if (prefix !== "/") {
      for (const segment of prefix.slice(1).split("/")) {
        let names = byName.get(at);
        if (!names) byName.set(at, names = new Map());
        let next = names.get(segment);
        if (!next) {
          next = node<T>();
          names.set(segment, next);
          if (at.segments === noSegments) {
            at.segments = [];
            at.children = [];
          }
          at.segments.push(segment);
          at.children.push(next);
        }
        at = next;
      }
    }
    at.value = value;
  }
  // Iterative walk (a deep table must not overflow the stack): fallbacks and hash tables.
  const stack: [TrieNode<T>, T | undefined][] = [[root, undefined]];
  while (stack.length > 0) {
    const [at, shorter] = stack.pop()!;
    if (at.value !== undefined) link(at.value, shorter);
    const next = at.value ?? shorter;
    for (const below of at.children) stack.push([below, next]);
    index(at);
  }
  return root;
}

/**
 * The value of the longest prefix of the path `url[start, end)` that ends on
 * a segment boundary, or `undefined`. `start` indexes the path's leading `/`.
 */
export function longestPrefix<T>(root: TrieNode<T>, url: string, start: number, end: number): T | undefined {
  let best = root.value;
  let at: TrieNode<T> | undefined = root;
  let from = start; // always at a "/"
  // `from + 1 < end`: a segment is never empty, so a path ending here ("/", "/docs/") needs no lookup.
  while (at.segments.length > 0 && from + 1 < end) {
    let to = url.indexOf("/", from + 1);
    if (to < 0 || to > end) to = end;
    at = child(at, url, from + 1, to);
    if (at === undefined) break;
    if (at.value !== undefined) best = at.value;
    from = to;
  }
  return best;
}
