/**
 * Why an app module could not be loaded, told the way a developer needs it:
 * the missing package's name (not "cannot find app.ts"), the file, line and
 * column of a syntax error with its source line, and for an error thrown
 * while the module ran, where it was thrown (the whole stack in
 * development). Each runtime reports these differently; this reads all
 * three.
 *
 * @module
 */
import { runtime } from "../internal/runtime.ts";

/** Where in a source file: a path (not a file URL), 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  /** The source line, when the runtime showed it. */
  text?: string;
}

/** What went wrong while importing an app module, in the runtime's words turned into one shape. */
export type LoadError =
  | { kind: "package"; name: string; from?: string }
  | { kind: "module"; path: string; from?: string }
  | { kind: "syntax"; reason: string; at?: SourcePosition }
  | { kind: "thrown"; summary: string; at?: string; stack: string[] };

/** The `file:` URLs and paths Node's loader read, latest last (see {@linkcode recordNodeLoads}). */
const loaded: string[] = [];

/**
 * On Node, remembers every module URL the loader reads until the returned
 * function is called, so a JavaScript syntax error (which Node reports
 * without a file) can be found again by parsing those files. A synchronous
 * loader hook: one call per module.
 */
export async function recordNodeLoads(): Promise<() => void> {
  if (runtime !== "node") return () => {};
  const nodeModule = await import("node:module") as {
    registerHooks?: (hooks: { load: (url: string, context: unknown, next: NextLoad) => unknown }) => {
      deregister(): void;
    };
  };
  const hooks = nodeModule.registerHooks?.({ load: recordLoad });
  return () => hooks?.deregister();
}

type NextLoad = (url: string, context: unknown) => unknown;

function recordLoad(url: string, context: unknown, next: NextLoad): unknown {
  if (url.startsWith("file:") && !url.includes("/node_modules/")) loaded.push(url);
  return next(url, context);
}

/** A `file:` URL as a path; anything else as it is. */
export function displayPath(location: string): string {
  if (!location.startsWith("file:")) return location;
  try {
    return decodeURIComponent(new URL(location).pathname);
  } catch {
    return location;
  }
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(ANSI, "");
}

/** A bare specifier's package: `lodash` of `lodash/fp`, `@scope/name` of `@scope/name/sub`. */
function packageName(specifier: string): string {
  const parts = specifier.replace(/^npm:/, "").split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const isBare = (specifier: string) => !/^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

/** Deno's `at file:///x.ts:1:15` after a resolution or syntax error. */
function denoAt(message: string): string | undefined {
  return /\n\s+at (\S+:\d+:\d+)\s*$/.exec(message)?.[1];
}

/** Reads what the runtime threw while importing into a {@linkcode LoadError}. */
export async function classify(error: unknown): Promise<LoadError> {
  return notFoundOf(error) ?? syntaxOf(error) ?? await nodeJsSyntaxOf(error) ?? thrownOf(error);
}

function notFoundOf(error: unknown): LoadError | undefined {
  const message = messageOf(error);
  // Node and Bun: "Cannot find package 'x' imported from /app.ts", "Cannot find module '/x.ts' imported from /app.ts".
  const nodeLike = /^Cannot find (package|module) '([^']+)' (?:imported )?from '?([^'\n]+)'?/.exec(message);
  if (nodeLike) {
    const [, what, name, from] = nodeLike;
    if (what === "package" || isBare(name)) return { kind: "package", name: packageName(name), from };
    // Bun names a relative module as it was written: resolved against its importer.
    const path = name.startsWith(".") ? displayPath(new URL(name, `file://${from}`).href) : displayPath(name);
    return { kind: "module", path, from };
  }
  // Deno: 'Import "x" not a dependency', 'Module not found "file:///x.ts".', "Could not find a matching package for 'npm:x'".
  const denoImport = /^(?:Import|Relative import path) "([^"]+)" not/.exec(message) ??
    /^Could not find a matching package for '([^']+)'/.exec(message);
  if (denoImport) return { kind: "package", name: packageName(denoImport[1]), from: atFile(denoAt(message)) };
  const denoModule = /^Module not found "([^"]+)"/.exec(message);
  if (denoModule) return { kind: "module", path: displayPath(denoModule[1]), from: atFile(denoAt(message)) };
  return undefined;
}

/** `file:///app.ts:1:15` as `/app.ts:1:15`. */
function atFile(at: string | undefined): string | undefined {
  if (at === undefined) return undefined;
  const position = /^(.*):(\d+):(\d+)$/.exec(at);
  return position ? `${displayPath(position[1])}:${position[2]}:${position[3]}` : displayPath(at);
}

function syntaxOf(error: unknown): LoadError | undefined {
  const bun = error as { name?: string; position?: SourcePosition & { lineText?: string } } | null;
  if (bun?.name === "BuildMessage" && bun.position) {
    const { file, line, column, lineText } = bun.position;
    return { kind: "syntax", reason: messageOf(error), at: { file, line, column, text: lineText } };
  }
  const message = messageOf(error);
  const deno = /^SyntaxError: (.*)/.exec(message);
  if (deno) {
    const at = /^(.*):(\d+):(\d+)$/.exec(denoAt(message) ?? "");
    const text = /^\s*\d+ \| (.*)$/m.exec(message)?.[1];
    return {
      kind: "syntax",
      reason: deno[1],
      at: at ? { file: displayPath(at[1]), line: Number(at[2]), column: Number(at[3]), text } : undefined,
    };
  }
  if ((error as Error)?.name !== "SyntaxError") return undefined;
  // Node's type stripping: the stack starts "file:///app.ts:3\n<lines>\n   ^\n\nSyntaxError …".
  const at = nodeArrow(String((error as Error).stack ?? ""));
  return at ? { kind: "syntax", reason: message, at } : undefined;
}

/** The position of Node's arrow block: `file:line`, source lines, and a caret under the column. */
function nodeArrow(stack: string): SourcePosition | undefined {
  const lines = stack.split("\n");
  const head = /^(.+):(\d+)$/.exec(lines[0]);
  if (!head) return undefined;
  const caret = lines.findIndex((line, i) => i > 1 && /^\s*\^+\s*$/.test(line));
  if (caret < 0) return undefined;
  return {
    file: displayPath(head[1]),
    line: Number(head[2]),
    column: lines[caret].indexOf("^") + 1,
    text: lines[caret - 1],
  };
}

/**
 * Node reports a JavaScript syntax error without its file: the files the
 * loader read are parsed again, latest first, and the first that fails to
 * parse is the one (Node's own parser, through `stripTypeScriptTypes`, which
 * places the error the way type stripping does).
 */
async function nodeJsSyntaxOf(error: unknown): Promise<LoadError | undefined> {
  if (runtime !== "node" || (error as Error)?.name !== "SyntaxError" || loaded.length === 0) return undefined;
  const [{ readFile }, nodeModule] = await Promise.all([import("node:fs/promises"), import("node:module")]);
  const strip = (nodeModule as { stripTypeScriptTypes?: (code: string, options: object) => string })
    .stripTypeScriptTypes;
  if (strip === undefined) return undefined;
  for (const url of [...new Set(loaded)].reverse()) {
    let source: string;
    try {
      source = await readFile(new URL(url), "utf8");
      strip(source, { mode: "strip", sourceUrl: url });
    } catch (parseError) {
      const at = nodeArrow(String((parseError as Error)?.stack ?? ""));
      if (at) return { kind: "syntax", reason: messageOf(error), at };
    }
  }
  return undefined;
}

function thrownOf(error: unknown): LoadError {
  const name = error instanceof Error ? error.name : "thrown";
  const summary = error instanceof Error ? `${name}: ${messageOf(error)}` : `thrown: ${String(error)}`;
  const frames = error instanceof Error ? appFrames(String(error.stack ?? "")) : [];
  const first = frames.map(frameLocation).find((at) => at !== undefined);
  return { kind: "thrown", summary: summary.split("\n")[0], at: first, stack: frames };
}

/**
 * The frames of the app's own code: the leading run of frames in files. The
 * runtime's module loader (`node:internal/…`) and this command's import of
 * the module come after them.
 */
function appFrames(stack: string): string[] {
  const frames = stack.split("\n").filter((line) => /^\s+at /.test(line)).map((line) => line.trim());
  const end = frames.findIndex((frame) => frameLocation(frame) === undefined);
  return end < 0 ? frames : frames.slice(0, end);
}

/** The `file:line:column` of a stack frame in a file (not in the runtime's own code). */
function frameLocation(frame: string): string | undefined {
  const location = /(?:\(|^at (?:async )?)((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(frame);
  return location ? `${displayPath(location[1])}:${location[2]}:${location[3]}` : undefined;
}

/** The install command the runtime's users type. */
function installHint(name: string): string {
  if (runtime === "deno") return `deno add npm:${name}`;
  if (runtime === "bun") return `bun add ${name}`;
  return `npm install ${name}`;
}

/**
 * The lines the CLI prints after `fetchkit: cannot import app.ts: `: the
 * first says what and where, the next ones show the source line of a syntax
 * error, or (in development) the stack of a thrown error.
 */
export function describeLoadError(failure: LoadError, development: boolean): string {
  switch (failure.kind) {
    case "package":
      return `package "${failure.name}" is not installed${failure.from ? ` (imported from ${failure.from})` : ""}; ` +
        `install it with \`${installHint(failure.name)}\``;
    case "module":
      return `module ${failure.path} not found${failure.from ? ` (imported from ${failure.from})` : ""}`;
    case "syntax":
      return failure.at === undefined
        ? `syntax error: ${failure.reason}`
        : `syntax error at ${failure.at.file}:${failure.at.line}:${failure.at.column}: ${failure.reason}` +
          sourceExcerpt(failure.at);
    case "thrown": {
      const where = failure.at ? ` (at ${failure.at})` : "";
      const stack = development && failure.stack.length > 0 ? `\n    ${failure.stack.join("\n    ")}` : "";
      return `${failure.summary}${where}${stack}`;
    }
  }
}

/** The offending line with a caret under the column, as compilers show it. */
function sourceExcerpt(at: SourcePosition): string {
  if (at.text === undefined) return "";
  const number = String(at.line);
  return `\n  ${number} | ${at.text}\n  ${" ".repeat(number.length)} | ${" ".repeat(Math.max(0, at.column - 1))}^`;
}
