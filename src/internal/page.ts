/**
 * The one look of every page fetchkit draws (the debug and production error
 * pages, the static 404 and directory listing, the profile page) and of the
 * example site: a page shell with landmarks and one small stylesheet, inline,
 * so a page needs no other request. It follows the reader's colour scheme
 * (`prefers-color-scheme`) and fits a phone: long paths and stack lines wrap,
 * and what cannot wrap (source, wide tables) scrolls inside its own box.
 *
 * @module
 */
import { escapeHtml } from "./html.ts";

/**
 * The shared stylesheet. Colours are custom properties, so a page (or an app
 * around fetchkit) restyles by overriding `--ink`, `--accent` and friends;
 * every pair of text and background colour here passes WCAG AA in both schemes.
 */
export const PAGE_STYLE: string =
  `:root{color-scheme:light dark;--ink:#1d2433;--muted:#4f586b;--accent:#1f5fbf;--paper:#fbfbfd;
--panel:#fff;--line:#d5dae4;--code:#eef1f6;--mark:#ffec99;--bad:#a8201a}
@media (prefers-color-scheme:dark){:root{--ink:#e6e9ef;--muted:#a9b1c2;--accent:#8ab4ff;--paper:#14171d;--panel:#1c2029;
--line:#3a4150;--code:#232833;--mark:#4d3f00;--bad:#ff9e94}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--paper);
overflow-wrap:anywhere}
body>header,body>footer{padding:.7rem 1.25rem;color:var(--muted)}
body>header{border-bottom:1px solid var(--line);background:var(--panel)}
body>footer{border-top:1px solid var(--line);font-size:.875rem;margin-top:2rem}
.brand{font-weight:700;color:var(--ink);text-decoration:none;margin-right:.5rem}
main{max-width:62rem;margin:0 auto;padding:.5rem 1.25rem 1rem}
h1{font-size:1.5rem;line-height:1.25;margin:1rem 0 .75rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
a{color:var(--accent)}
code,pre,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem}
code{background:var(--code);padding:.1em .3em;border-radius:3px}
pre{background:var(--code);padding:.5rem .75rem;border-radius:6px;overflow:auto;max-width:100%;line-height:1.45;
overflow-wrap:normal}
pre code{background:none;padding:0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .75rem .3rem 0;border-bottom:1px solid var(--line);vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}
.muted,small{color:var(--muted)}
.bad{color:var(--bad)}
button,input,select{font:inherit;color:inherit}
input{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:.3rem .5rem}
button{padding:.35rem .9rem;border:1px solid var(--accent);background:var(--accent);color:var(--paper);border-radius:4px;
cursor:pointer}
details{margin:.75rem 0}summary{cursor:pointer;color:var(--accent)}
svg{max-width:100%;height:auto}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}`;

/** The parts of a page; every string but `title` and `label` is HTML, already escaped. */
export interface PageParts {
  /** The document title, as text. */
  title: string;
  /** What `<main>` holds, its `<h1>` included. */
  main: string;
  /** What the header says after the brand; default "fetchkit". */
  label?: string;
  /** The brand's link; default none (the brand is plain text). */
  home?: string;
  /**
   * Show the header with the brand. Default true; a production page leaves it
   * out, so it does not tell a visitor what the app is built with.
   */
  brand?: boolean;
  /** HTML inside `<footer>`; default none. */
  footer?: string;
  /** More of `<head>`: a stylesheet link, a page's own `<style>`. */
  head?: string;
  /** Attributes of `<body>`, as HTML (`data-refresh="5"`). */
  bodyAttributes?: string;
  /** A script placed at the end of `<body>`. */
  script?: string;
  /** Keeps search engines away (debug, profile and listing pages). Default true. */
  noindex?: boolean;
}

/**
 * A complete HTML document in fetchkit's look: header, main, optional footer.
 *
 * @example
 * ```ts
 * import { renderPage } from "./page.ts";
 * const html = renderPage({ title: "Not Found", main: "<h1>Not Found</h1>" });
 * ```
 */
export function renderPage(parts: PageParts): string {
  const brand = parts.home === undefined
    ? `<span class="brand">fetchkit</span>`
    : `<a class="brand" href="${escapeHtml(parts.home)}">fetchkit</a>`;
  const label = parts.label === undefined ? "" : ` <span>${escapeHtml(parts.label)}</span>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">${
    parts.noindex === false ? "" : `<meta name="robots" content="noindex">`
  }<title>${escapeHtml(parts.title)}</title>
<style>${PAGE_STYLE}</style>${parts.head ?? ""}</head>
<body${parts.bodyAttributes ? ` ${parts.bodyAttributes}` : ""}>
${parts.brand === false ? "" : `<header>${brand}${label}</header>\n`}<main>
${parts.main}
</main>${parts.footer === undefined ? "" : `\n<footer>${parts.footer}</footer>`}${
    parts.script === undefined ? "" : `\n<script>${parts.script}</script>`
  }
</body></html>
`;
}
