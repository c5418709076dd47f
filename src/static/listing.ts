/**
 * The optional HTML directory listing: escaped, sorted (directories first,
 * then by name), with sizes and dates.
 *
 * @module
 */
import { escapeHtml, formatBytes } from "../internal/html.ts";
import type { DirEntry } from "./source.ts";

/**
 * Renders a listing of `entries` for the directory shown as `title` (the
 * decoded URL path, for display only). Links are relative, so the listing
 * works under any mount prefix.
 */
export function renderListing(title: string, entries: readonly DirEntry[], isRoot: boolean): string {
  const sorted = [...entries].sort((a, b) =>
    a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind === "directory" ? -1 : 1
  );
  const rows = sorted.map((entry) => {
    const slash = entry.kind === "directory" ? "/" : "";
    const href = `./${encodeURIComponent(entry.name)}${slash}`;
    const size = entry.kind === "directory" ? "-" : formatBytes(entry.size);
    const date = Number.isNaN(entry.mtimeMs)
      ? ""
      : new Date(entry.mtimeMs).toISOString().slice(0, 19).replace("T", " ");
    return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(entry.name + slash)}</a></td>` +
      `<td class="size">${size}</td><td>${date}</td></tr>`;
  });
  const up = isRoot ? "" : `<tr><td><a href="../">../</a></td><td></td><td></td></tr>`;
  const heading = escapeHtml(title);
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Index of ${heading}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}td{padding:.15em 1.5em .15em 0}.size{text-align:right}</style>
</head><body><h1>Index of ${heading}</h1>
<table><thead><tr><th align="left">Name</th><th>Size</th><th align="left">Modified (UTC)</th></tr></thead><tbody>
${up}${rows.join("\n")}
</tbody></table></body></html>
`;
}
