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
  /** A file of the application (not a runtime internal, not under node_modules, not fetchkit's own source). */
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

/**
 * fetchkit's own source folder (`src/` of a checkout, `dist/src/` built) as a
 * path with forward slashes: its frames are the kit's, not the app's, so the
 * debug page folds them away with the runtime's. `undefined` where modules
 * have no file URL (a bundle on Workers).
 */
const KIT_FOLDER = kitFolder();

function kitFolder(): string | undefined {
  try {
    const url = new URL("../", import.meta.url);
    return url.protocol === "file:" ? slashed(url.href) : undefined;
  } catch {
    return undefined;
  }
}

/** A frame's file as a path with forward slashes (`file:` URLs decoded, a drive letter without its leading slash). */
function slashed(file: string): string {
  let path = file.startsWith("file://") ? file.slice(7) : file;
  try {
    path = decodeURIComponent(path);
  } catch { /* a malformed escape: compared as written */ }
  path = path.replaceAll("\\", "/");
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** True for paths of the application's own files: not a runtime's, not a dependency's, not fetchkit's. */
function isOwn(file: string): boolean {
  if (!(file.startsWith("file://") || file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file))) return false;
  if (/[\\/]node_modules[\\/]/.test(file)) return false;
  return KIT_FOLDER === undefined || !slashed(file).startsWith(KIT_FOLDER);
}

/**
 * The frames of an error's own stack, and whether they can be told apart
 * from its message. Why: `error.stack` begins with the message, which a
 * client often chooses (a bad name echoed in an error), and a message line
 * `    at /etc/passwd:1:1` parses as a frame. The header is cut by its exact
 * length: V8 and JSC print what the spec's `Error.prototype.toString` gives,
 * Node's coded errors what their own `toString` gives (`TypeError [ERR_X]: …`).
 * A stack that starts with neither (replaced by the app, or a message changed
 * after capture) is parsed whole, and its frames are marked untrusted.
 */
export function stackFrames(error: Error): { frames: StackFrame[]; trusted: boolean } {
  let stack: unknown;
  try {
    stack = error.stack;
  } catch {
    return { frames: [], trusted: false };
  }
  if (typeof stack !== "string") return { frames: [], trusted: false };
  for (const header of stackHeaders(error)) {
    if (stack.startsWith(header) && (stack.length === header.length || stack[header.length] === "\n")) {
      return { frames: parseStack(stack.slice(header.length)), trusted: true };
    }
  }
  return { frames: parseStack(stack), trusted: false };
}

/** What may head an error's stack: the spec's `Error.prototype.toString` of it, and its own `toString`. */
function stackHeaders(error: Error): string[] {
  const headers: string[] = [];
  try {
    const name = error.name === undefined ? "Error" : String(error.name);
    const message = error.message === undefined ? "" : String(error.message);
    headers.push(name === "" ? message : message === "" ? name : `${name}: ${message}`);
  } catch { /* a throwing getter: no header to trust */ }
  try {
    const own = String(error);
    if (!headers.includes(own)) headers.push(own);
  } catch { /* a throwing toString */ }
  return headers;
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
