/**
 * The pages of {@linkcode errors}: the development debug page (error, stack
 * with source excerpts, request with secrets masked) and the production page
 * (a request id, nothing else).
 *
 * @module
 */
import { context } from "../context.ts";
import { escapeHtml } from "../internal/html.ts";
import { renderPage } from "../internal/page.ts";
import { runtime } from "../internal/runtime.ts";
import type { Redactor } from "./redact.ts";
import { excerpt, type SourceExcerpt, type StackFrame, stackFrames } from "./stack.ts";

/**
 * Request headers whose values the debug page never shows: credentials by
 * any name (`Authorization`, `Cookie`, `X-Api-Key`, `X-CSRF-Token`,
 * `X-Amz-Security-Token`, `X-Hub-Signature`, a session id…). A debug page
 * gets pasted into bug reports and screenshots.
 */
const MASKED_HEADER = /auth|cookie|token|secret|key|passw|session|csrf|xsrf|signature|credential/i;
const MAX_EXCERPTS = 10;

/** The stack (with causes) of any thrown value, as text. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    const text = current instanceof Error
      ? (current.stack?.includes(current.message)
        ? current.stack
        : `${current.name}: ${current.message}\n${current.stack ?? ""}`)
      : `thrown value: ${safeString(current)}`;
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join("\n");
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The request's headers with credentials masked. */
function maskedHeaders(request: Request): [string, string][] {
  const rows: [string, string][] = [];
  for (const [name, value] of request.headers) rows.push([name, MASKED_HEADER.test(name) ? "•••••• (masked)" : value]);
  return rows;
}

type ReadSource = (file: string, root: string) => Promise<string | undefined>;

async function sourceReader(): Promise<ReadSource | undefined> {
  if (runtime === "workerd") return undefined; // bundled code, no file system: nothing to read
  try {
    return (await import("./adapters/files.ts")).readSourceUnder;
  } catch {
    return undefined;
  }
}

/** What the debug page needs besides the request and the error. */
export interface DebugPageSettings {
  /** Only files whose real path is inside this directory (not in node_modules) show source. */
  sourceRoot: string | undefined;
  /** Hides sensitive query values of the URL shown. */
  redact: Redactor;
}

function renderExcerpt(part: SourceExcerpt): string {
  // Lines are joined by the <pre>'s own newlines: a block-level line inside it would add a blank line each.
  return `<pre class="source" tabindex="0">${
    part.lines.map((text, index) => {
      const number = part.first + index;
      const current = number === part.line;
      return `<span class="line${
        current ? " current" : ""
      }" data-line="${number}"><span class="number">${number}</span> ${escapeHtml(text)}</span>`;
    }).join("\n")
  }</pre>`;
}

/** The debug page's own styles, over the shared ones. */
const DEBUG_STYLE = `<style>#error-title{color:var(--bad)}ol.frames{padding-left:1.5rem;margin:.5rem 0}
.frame{margin:.35rem 0}.frame>code{background:none;padding:0;overflow-wrap:anywhere}.frame:not(.own)>code{color:var(--muted)}
pre.source{margin:.35rem 0 .75rem}.line.current{display:inline-block;min-width:100%;background:var(--mark)}
.number{display:inline-block;width:3.5em;padding-right:.75em;color:var(--muted);text-align:right;user-select:none}
.note{color:var(--muted)}#request th,#headers th{white-space:nowrap}</style>`;

/** One frame as a list item: its line of the stack, and the source around it when there is some. */
function renderFrame(frame: StackFrame, source: string): string {
  return `<li class="frame${frame.own ? " own" : ""}"><code>${escapeHtml(frame.raw)}</code>${source}</li>`;
}

/**
 * The stack for a reader: the app's own frames first, with their source;
 * fetchkit's and the runtime's folded away below (open when the app has none).
 */
function renderStack(frames: readonly StackFrame[], sources: readonly string[]): string {
  const own: string[] = [];
  const other: string[] = [];
  frames.forEach((frame, index) => (frame.own ? own : other).push(renderFrame(frame, sources[index])));
  const first = own.length > 0
    ? `<ol id="stack" class="frames">${own.join("\n")}</ol>`
    : `<p class="note" id="stack">No frame of the stack is in the app's own files.</p>`;
  if (other.length === 0) return first;
  return `${first}
<details id="other-frames"${own.length === 0 ? " open" : ""}><summary>${other.length} frame${
    other.length === 1 ? "" : "s"
  } of fetchkit, the runtime and dependencies</summary><ol class="frames">${other.join("\n")}</ol></details>`;
}

/** The development page: everything a developer needs, as HTML. */
export async function renderDebugPage(
  request: Request,
  error: unknown,
  id: string,
  settings: DebugPageSettings,
): Promise<string> {
  const first = error instanceof Error ? error : undefined;
  const title = first ? `${first.name}: ${first.message}` : `Thrown value: ${safeString(error)}`;
  // Frames only from the stack below its header, never from the message's lines; when the two
  // cannot be told apart no frame is read at all.
  const { frames, trusted } = first ? stackFrames(first) : { frames: [] as StackFrame[], trusted: false };
  const root = settings.sourceRoot;
  const read = root === undefined ? undefined : await sourceReader();
  const texts = new Map<string, Promise<string | undefined>>();
  let excerpts = 0;
  let unavailable = false;
  const sources: string[] = [];
  for (const frame of frames) {
    let source = "";
    if (trusted && frame.own && frame.file !== undefined && excerpts < MAX_EXCERPTS) {
      const text = read && root !== undefined
        ? await (texts.get(frame.file) ?? texts.set(frame.file, read(frame.file, root)).get(frame.file))
        : undefined;
      const part = text === undefined ? undefined : excerpt(text, frame.line);
      if (part) {
        excerpts++;
        source = renderExcerpt(part);
      } else unavailable = true;
    }
    sources.push(source);
  }
  const note = read === undefined
    ? root === undefined && runtime !== "workerd"
      ? `<p class="note">Source is unavailable: no working directory to take as the source root (pass sourceRoot).</p>`
      : `<p class="note">Source is unavailable on this runtime (no file system).</p>`
    : !trusted && frames.length > 0
    ? `<p class="note">Source is not shown: this stack does not start with its error's message, so its frames cannot be told from the message's text.</p>`
    : unavailable
    ? `<p class="note">Source is unavailable for some frames (outside the source root ${
      escapeHtml(root ?? "")
    }, under node_modules, gone, unreadable or too big).</p>`
    : "";
  const ctx = context(request);
  const headerRows = maskedHeaders(request);
  const headers = headerRows.map(([name, value]) =>
    `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`
  )
    .join("");
  const main = `<h1 id="error-title">${escapeHtml(title)}</h1>
<p>Request id <code id="request-id">${
    escapeHtml(id)
  }</code>. This page is shown because fetchkit runs in development mode.</p>
<h2>Stack</h2>${note}${renderStack(frames, sources)}
<h2>Request</h2><div class="scroll"><table id="request">
<tr><th scope="row">method</th><td>${escapeHtml(request.method)}</td></tr>
<tr><th scope="row">url</th><td>${escapeHtml(settings.redact(ctx.originalUrl))}</td></tr>
<tr><th scope="row">route</th><td>${escapeHtml(ctx.route || "(unrouted)")}</td></tr>
<tr><th scope="row">remote</th><td>${escapeHtml(ctx.remoteAddr?.hostname ?? "unknown")}</td></tr>
</table></div>
<details id="request-headers"><summary>${headerRows.length} request headers</summary><table id="headers">${headers}</table></details>
<details id="full-trace"><summary>The full trace, as logged</summary><pre id="trace" tabindex="0">${
    escapeHtml(describeError(error))
  }</pre></details>`;
  return renderPage({ title, label: "development error page", head: DEBUG_STYLE, main });
}

/** The production page: says sorry, gives the id to quote and a way home (`home`, the app's root URL). */
export function renderProductionPage(id: string, home = "/"): string {
  return renderPage({
    title: "Internal Server Error",
    brand: false,
    main: `<h1>Internal Server Error</h1>
<p>Something went wrong on our side. If you contact us, please quote the request id <code id="request-id">${
      escapeHtml(id)
    }</code>.</p>
<p><a href="${escapeHtml(home)}">Go to the home page</a></p>`,
  });
}
