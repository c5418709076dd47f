/**
 * The optional HTML directory listing: escaped, sorted as a person expects
 * (directories first, then by name, ignoring case and accents, numbers in
 * numeric order: `file2` before `file10`), with sizes and dates.
 *
 * @module
 */
import { escapeHtml, formatBytes } from "../internal/html.ts";
import { renderPage } from "../internal/page.ts";
import type { DirEntry } from "./source.ts";

/** Names compared as a person reads them; names equal to it keep a stable order by code point. */
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Directories first, then names by {@linkcode collator}, ties broken by code point so the order is total. */
export function compareEntries(a: DirEntry, b: DirEntry): number {
  if (a.kind !== b.kind) return a.kind === "directory" ? -1 : 1;
  return collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

const LISTING_STYLE = `<style>#listing .size{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
#listing td.date{white-space:nowrap}#listing td,#listing th{padding-right:1.25rem}#listing{width:100%}
@media (max-width:30rem){#listing .date{display:none}}</style>`;

function row(entry: DirEntry): string {
  const slash = entry.kind === "directory" ? "/" : "";
  const href = `./${encodeURIComponent(entry.name)}${slash}`;
  const size = entry.kind === "directory" ? "—" : formatBytes(entry.size);
  const date = Number.isNaN(entry.mtimeMs) ? "" : new Date(entry.mtimeMs).toISOString().slice(0, 16).replace("T", " ");
  return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(entry.name + slash)}</a></td>` +
    `<td class="size">${size}</td><td class="date">${date}</td></tr>`;
}

/**
 * Renders a listing of `entries` for the directory shown as `title` (the
 * decoded URL path, for display only). Links are relative, so the listing
 * works under any mount prefix.
 */
export function renderListing(title: string, entries: readonly DirEntry[], isRoot: boolean): string {
  const rows = [...entries].sort(compareEntries).map(row);
  const up = isRoot ? "" : `<tr><td><a href="../">../</a> <small>(parent folder)</small></td><td></td><td></td></tr>`;
  const empty = entries.length === 0 ? `<tr><td colspan="3"><small>This folder is empty.</small></td></tr>` : "";
  const heading = escapeHtml(title);
  return renderPage({
    title: `Index of ${title}`,
    label: "directory listing",
    head: LISTING_STYLE,
    main: `<h1>Index of ${heading}</h1>
<table id="listing"><thead><tr><th scope="col">Name</th><th scope="col" class="size">Size</th>` +
      `<th scope="col" class="date">Modified (UTC)</th></tr></thead><tbody>
${up}${rows.join("\n")}${empty}
</tbody></table>`,
  });
}
