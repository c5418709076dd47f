/**
 * HTML for the example site: a tagged template that escapes every value, and
 * the shared page layout.
 *
 * @module
 */
import { renderPage } from "../../src/internal/page.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Markup that is already safe; values of this type are inserted as they are. */
export class Html {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

function render(value: unknown): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * Builds markup; interpolated values are escaped unless they are `Html`
 * themselves (arrays are joined).
 *
 * @example
 * ```ts
 * html`<p>${"<b>"}</p>`.toString(); // "<p>&lt;b&gt;</p>"
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** What every page of the site needs to render its frame. */
export interface PageOptions {
  /** The site's own mount prefix (`context(request).base` where the site is mounted), `""` at the top. */
  base: string;
  title: string;
  body: Html;
  status?: number;
}

/**
 * A complete HTML response in the site's layout: fetchkit's own page shell
 * (the look of its error, listing and profile pages), with the site's
 * stylesheet for what only the site has (cards, tiles, forms).
 *
 * @example
 * ```ts
 * const response = page({ base: "", title: "Hi", body: html`<p>Hello</p>` });
 * ```
 */
export function page({ base, title, body, status = 200 }: PageOptions): Response {
  const text = renderPage({
    title: `${title} · fetchkit`,
    home: `${base}/`,
    label: "example site",
    noindex: false,
    head: html`<link rel="icon" href="${base}/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${base}/static/style.css">`.toString(),
    main: html`<h1>${title}</h1>
${body}`.toString(),
    footer: "Served by fetchkit: everything is a Fetch handler.",
  });
  return new Response(text, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}
