/** Temporary folders of real files for the static tests. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Fixture {
  /** The served root. */
  root: string;
  /** A sibling folder outside the root (targets of escaping symlinks). */
  outside: string;
  write(path: string, content: string | Uint8Array, mtime?: Date): string;
  link(path: string, target: string): void;
  remove(): void;
}

/** A fixed, whole-second modification time, so Last-Modified is predictable. */
export const MTIME = new Date("2024-03-01T12:00:00Z");

export function makeFixture(): Fixture {
  const base = mkdtempSync(join(tmpdir(), "fetchkit-static-"));
  const root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "TOP SECRET\n");
  return {
    root,
    outside,
    write(path, content, mtime = MTIME) {
      const full = join(root, path);
      mkdirSync(join(full, ".."), { recursive: true });
      writeFileSync(full, content);
      utimesSync(full, mtime, mtime);
      return full;
    },
    link(path, target) {
      const full = join(root, path);
      mkdirSync(join(full, ".."), { recursive: true });
      symlinkSync(target, full);
    },
    remove() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Deterministic bytes 0..255 repeated. */
export function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}
