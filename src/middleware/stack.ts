/**
 * Stack traces for the debug page: frames parsed from V8/JSC `at …` lines and
 * source lines around each frame of the user's own files.
 *
 * @module
 */

/** One frame of a stack trace. */
export interface StackFrame {
  /** Function name as printed (`async handler`, `new Thing`), "" for anonymous. */
  name: string;
  /** File path or URL, `undefined` for native frames. */
  file: string | undefined;
  line: number;
  column: number;
  /** The text of the original line. */
  raw: string;
  /** A file of the application (not a runtime internal, not under node_modules). */
  own: boolean;
}

/** Lines of source around a frame's line. */
export interface SourceExcerpt {
  /** Line number of `lines[0]`. */
  first: number;
  lines: string[];
  /** The frame's line number. */
  line: number;
}

const frameLine = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?\s*$/;

/** True for paths of the application's own files. */
function isOwn(file: string): boolean {
  if (!(file.startsWith("file://") || file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file))) return false;
  return !/[\\/]node_modules[\\/]/.test(file);
}

/** Parses a stack trace (the `at` lines of V8, Deno, Bun); other lines are skipped. */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of stack.split("\n")) {
    if (!/^\s*at /.test(raw)) continue;
    const match = frameLine.exec(raw);
    if (match === null) {
      frames.push({ name: raw.trim().slice(3), file: undefined, line: 0, column: 0, raw: raw.trim(), own: false });
      continue;
    }
    const [, name = "", file, line, column] = match;
    frames.push({ name, file, line: Number(line), column: Number(column), raw: raw.trim(), own: isOwn(file) });
  }
  return frames;
}

/** The lines `context` above and below `line` of `source` (1-based). */
export function excerpt(source: string, line: number, context = 3): SourceExcerpt | undefined {
  const lines = source.split("\n");
  if (line < 1 || line > lines.length) return undefined;
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  return { first, lines: lines.slice(first - 1, last).map((text) => text.replace(/\r$/, "")), line };
}
