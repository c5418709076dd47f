/**
 * The HTML of the profile page: a sortable table (`#profile-table`), a latency
 * histogram as inline SVG (`svg#latency-histogram`), a reset button, the CPU
 * profile form, auto-refresh. No external resources.
 *
 * @module
 */
import type { HistogramBar } from "./histogram.ts";
import { escapeHtml, formatBytes } from "../internal/html.ts";
import type { ProfileSnapshot, RouteStats } from "./profile_types.ts";

/** What the page needs besides the data. */
export interface PageSettings {
  /** The page's own URL (path plus token query), target of the reset form. */
  action: string;
  token: string | undefined;
  refreshSeconds: number;
  /** Why CPU profiles are unavailable, `undefined` when they work. */
  cpuUnavailable: string | undefined;
  maxCpuSeconds: number;
}

/** Milliseconds for humans: `850 µs`, `12.3 ms`, `2.10 s`. */
function formatMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

const columns: [label: string, key: keyof RouteStats, kind: "text" | "int" | "ms" | "bytes"][] = [
  ["Method", "method", "text"],
  ["Route", "route", "text"],
  ["Count", "count", "int"],
  ["Errors", "errors", "int"],
  ["Total", "totalMs", "ms"],
  ["Mean", "meanMs", "ms"],
  ["p50", "p50Ms", "ms"],
  ["p90", "p90Ms", "ms"],
  ["p99", "p99Ms", "ms"],
  ["Max", "maxMs", "ms"],
  ["Bytes out", "bytesOut", "bytes"],
];

function cell(route: RouteStats, key: keyof RouteStats, kind: string): string {
  const value = route[key];
  if (kind === "text") return `<td>${escapeHtml(String(value))}</td>`;
  const n = value as number;
  const shown = kind === "ms" ? formatMs(n) : kind === "bytes" ? formatBytes(n) : String(n);
  const note = key === "bytesOut" && route.unsized > 0
    ? ` <small title="responses without Content-Length, not counted">+${route.unsized} unsized</small>`
    : "";
  return `<td class="num" data-value="${n}">${shown}${note}</td>`;
}

function table(routes: RouteStats[]): string {
  const head = columns.map(([label, key, kind], index) =>
    `<th data-column="${index}" data-key="${key}" data-kind="${
      kind === "text" ? "text" : "num"
    }" tabindex="0">${label}</th>`
  ).join("");
  const rows = routes.map((route) =>
    `<tr class="route${route.errors > 0 ? " has-errors" : ""}">${
      columns.map(([, key, kind]) => cell(route, key, kind)).join("")
    }</tr>`
  ).join("\n");
  const empty = routes.length === 0
    ? `<tr class="empty"><td colspan="${columns.length}">No requests yet.</td></tr>`
    : "";
  return `<table id="profile-table"><thead><tr>${head}</tr></thead><tbody>${rows}${empty}</tbody></table>`;
}

/** A bar chart of the latency histogram, log-scale on the x axis (one bar per power of two). */
export function histogramSvg(bars: HistogramBar[]): string {
  const width = 720, height = 220, left = 48, bottom = 36, top = 12;
  const plotWidth = width - left - 8, plotHeight = height - top - bottom;
  const max = Math.max(1, ...bars.map((bar) => bar.count));
  const slot = bars.length === 0 ? plotWidth : plotWidth / bars.length;
  const parts: string[] = [];
  bars.forEach((bar, index) => {
    const h = (bar.count / max) * plotHeight;
    const x = left + index * slot;
    const label = `${formatMs(bar.fromMs)} – ${formatMs(bar.toMs)}: ${bar.count}`;
    parts.push(
      `<rect class="bar" x="${(x + 1).toFixed(1)}" y="${(top + plotHeight - h).toFixed(1)}" width="${
        Math.max(1, slot - 2).toFixed(1)
      }" height="${h.toFixed(1)}" data-count="${bar.count}"><title>${escapeHtml(label)}</title></rect>`,
    );
    if (bars.length <= 12 || index % 2 === 0) {
      parts.push(
        `<text class="tick" x="${(x + slot / 2).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle">${
          escapeHtml(formatMs(bar.fromMs))
        }</text>`,
      );
    }
  });
  if (bars.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">No samples yet</text>`);
  }
  return `<svg id="latency-histogram" role="img" aria-label="Latency histogram" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top + plotHeight}" x2="${width - 8}" y2="${top + plotHeight}" class="axis"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" class="axis"/>
<text class="tick" x="${left - 6}" y="${top + 10}" text-anchor="end">${max}</text>
<text class="tick" x="${left - 6}" y="${top + plotHeight}" text-anchor="end">0</text>
<text class="caption" x="${left + plotWidth / 2}" y="${
    height - 4
  }" text-anchor="middle">latency (log scale), all routes</text>
${parts.join("\n")}
</svg>`;
}

const style = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.3rem}
table{border-collapse:collapse;margin:1rem 0}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}
th{cursor:pointer;user-select:none;background:#f4f4f4}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.has-errors td:nth-child(4){color:#b00;font-weight:bold}
.bar{fill:#4a7bd0}.axis{stroke:#888}.tick,.caption{font-size:11px;fill:#555}form{display:inline-block;margin-right:1rem}
.summary span{margin-right:1.5rem}small{color:#777}`;

// Sorts by the clicked column, remembers the choice across refreshes, reloads on a timer.
const script = `(() => {
const table = document.getElementById("profile-table"), body = table.tBodies[0];
const heads = [...table.tHead.rows[0].cells];
function sort(index, dir) {
  const numeric = heads[index].dataset.kind === "num";
  const rows = [...body.querySelectorAll("tr.route")];
  rows.sort((a, b) => {
    const x = a.cells[index], y = b.cells[index];
    const c = numeric ? Number(x.dataset.value) - Number(y.dataset.value) : x.textContent.localeCompare(y.textContent);
    return dir === "ascending" ? c : -c;
  });
  for (const row of rows) body.appendChild(row);
  heads.forEach((h, i) => i === index ? h.setAttribute("aria-sort", dir) : h.removeAttribute("aria-sort"));
  sessionStorage.setItem("fetchkit-profile-sort", JSON.stringify([index, dir]));
}
heads.forEach((head, index) => {
  const go = () => sort(index, head.getAttribute("aria-sort") === "descending" ? "ascending" : "descending");
  head.addEventListener("click", go);
  head.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
});
const saved = JSON.parse(sessionStorage.getItem("fetchkit-profile-sort") || "null");
if (saved) sort(saved[0], saved[1]);
const refresh = Number(document.body.dataset.refresh), pause = document.getElementById("pause");
if (refresh > 0) setInterval(() => { if (!pause.checked) location.reload(); }, refresh * 1000);
})();`;

/** Renders the whole page. */
export function renderProfilePage(data: ProfileSnapshot, settings: PageSettings): string {
  const action = escapeHtml(settings.action);
  const tokenField = settings.token === undefined
    ? ""
    : `<input type="hidden" name="token" value="${escapeHtml(settings.token)}">`;
  const cpu = settings.cpuUnavailable === undefined
    ? `<form method="get" action="${escapeHtml(settings.action.split("?")[0])}" id="cpu-form">${tokenField}
<label>CPU profile for <input type="number" name="cpu" value="5" min="1" max="${settings.maxCpuSeconds}" style="width:4em"> s</label>
<button type="submit">Record .cpuprofile</button></form> <small>opens in Chrome DevTools (Performance) or speedscope.app</small>`
    : `<p id="cpu-unavailable">CPU profiles are not available here: ${escapeHtml(settings.cpuUnavailable)}.</p>`;
  const json = escapeHtml(settings.action + (settings.action.includes("?") ? "&" : "?") + "format=json");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>fetchkit profile</title><style>${style}</style></head>
<body data-refresh="${settings.refreshSeconds}">
<h1>fetchkit profile</h1>
<p class="summary"><span>since <time>${
    escapeHtml(data.since)
  }</time></span><span id="total-requests">${data.requests} requests</span>
<span>${data.errors} errors</span><span>${data.inFlight} in flight</span></p>
<form method="post" action="${action}" id="reset-form"><button type="submit">Reset</button></form>
<label><input type="checkbox" id="pause"> pause refresh${
    settings.refreshSeconds > 0 ? ` (every ${settings.refreshSeconds} s)` : ""
  }</label>
<a href="${json}">JSON</a>
${table(data.routes)}
${histogramSvg(data.histogram)}
<section>${cpu}</section>
<script>${script}</script>
</body></html>
`;
}
