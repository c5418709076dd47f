/**
 * The pages of {@linkcode errors}: the development debug page (error, stack
 * with source excerpts, request with secrets masked) and the production page
 * (a request id, nothing else).
 *
 * @module
 */
import { context } from "../context.ts";
import { escapeHtml } from "../internal/html.ts";
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
  return `<pre class="source">${
    part.lines.map((text, index) => {
      const number = part.first + index;
      const current = number === part.line;
      return `<span class="line${
        current ? " current" : ""
      }" data-line="${number}"><span class="number">${number}</span> ${escapeHtml(text)}</span>`;
    }).join("\n")
  }</pre>`;
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
  const sources = new Map<string, Promise<string | undefined>>();
  let excerpts = 0;
  let unavailable = false;
  const items: string[] = [];
  for (const frame of frames) {
    let source = "";
    if (trusted && frame.own && frame.file !== undefined && excerpts < MAX_EXCERPTS) {
      const text = read && root !== undefined
        ? await (sources.get(frame.file) ?? sources.set(frame.file, read(frame.file, root)).get(frame.file))
        : undefined;
      const part = text === undefined ? undefined : excerpt(text, frame.line);
      if (part) {
        excerpts++;
        source = renderExcerpt(part);
      } else unavailable = true;
    }
    items.push(
      `<li class="frame${frame.own ? " own" : ""}"><code>${escapeHtml(frame.raw)}</code>${source}</li>`,
    );
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
  const headers = maskedHeaders(request).map(([name, value]) =>
    `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.3rem;color:#a00}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}.frame{margin:.4rem 0}.frame:not(.own) code{color:#888}
.line{display:block}.current{background:#ffe08a}.number{display:inline-block;width:3em;color:#888;text-align:right}
table{border-collapse:collapse}th,td{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
.note{color:#777}</style></head>
<body><h1 id="error-title">${escapeHtml(title)}</h1>
<p>Request id <code id="request-id">${
    escapeHtml(id)
  }</code>. This page is shown because fetchkit runs in development mode.</p>
<h2>Stack</h2>${note}<ol id="stack">${items.join("\n")}</ol>
<h2>Full trace</h2><pre id="trace">${escapeHtml(describeError(error))}</pre>
<h2>Request</h2><table id="request">
<tr><th>method</th><td>${escapeHtml(request.method)}</td></tr>
<tr><th>url</th><td>${escapeHtml(settings.redact(ctx.originalUrl))}</td></tr>
<tr><th>route</th><td>${escapeHtml(ctx.route || "(unrouted)")}</td></tr>
<tr><th>remote</th><td>${escapeHtml(ctx.remoteAddr?.hostname ?? "unknown")}</td></tr>
</table><h2>Headers</h2><table id="headers">${headers}</table></body></html>
`;
}

/** The production page: says sorry and gives the id to quote. */
export function renderProductionPage(id: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Internal Server Error</title></head>
<body><h1>Internal Server Error</h1><p>Something went wrong on our side. If you contact us, please quote the request id <code id="request-id">${
    escapeHtml(id)
  }</code>.</p></body></html>
`;
}
