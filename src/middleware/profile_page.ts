/**
 * The HTML of the profile page: a sortable table (`#profile-table`), a latency
 * histogram as inline SVG (`svg#latency-histogram`), a reset button, the CPU
 * profile form, auto-refresh. No external resources.
 *
 * @module
 */
import type { HistogramBar } from "./histogram.ts";
import { escapeHtml, formatBytes } from "../internal/html.ts";
import { renderPage } from "../internal/page.ts";
import type { ProfileSnapshot, RouteStats, WebSocketSnapshot } from "./profile_types.ts";

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
    ? ` <small title="responses of unknown length (streamed, or undeclared outside Node), not counted">+ ${route.unsized} of unknown size</small>`
    : "";
  return `<td class="num" data-value="${n}">${shown}${note}</td>`;
}

function table(routes: RouteStats[]): string {
  const head = columns.map(([label, key, kind], index) =>
    `<th scope="col" data-column="${index}" data-key="${key}" data-kind="${
      kind === "text" ? "text" : "num"
    }"><button type="button" class="sort">${label}</button></th>`
  ).join("");
  const rows = routes.map((route) =>
    `<tr class="route${route.errors > 0 ? " has-errors" : ""}">${
      columns.map(([, key, kind]) => cell(route, key, kind)).join("")
    }</tr>`
  ).join("\n");
  const empty = routes.length === 0
    ? `<tr class="empty"><td colspan="${columns.length}">No requests yet.</td></tr>`
    : "";
  return `<div class="scroll" role="region" aria-label="Routes" tabindex="0"><table id="profile-table"><thead><tr>${head}</tr></thead><tbody>${rows}${empty}</tbody></table></div>`;
}

/** The WebSocket sessions' table (`#websocket-table`), when there were any: their durations are not latencies. */
function webSocketTable(sessions: WebSocketSnapshot): string {
  if (sessions.routes.length === 0) return "";
  const rows = sessions.routes.map((route) =>
    `<tr><td>${escapeHtml(route.method)}</td><td>${escapeHtml(route.route)}</td><td class="num">${route.count}</td>` +
    `<td class="num">${route.open}</td><td class="num">${route.abnormal}</td><td class="num">${
      formatMs(route.totalMs)
    }</td>` +
    `<td class="num">${formatMs(route.meanMs)}</td><td class="num">${formatMs(route.maxMs)}</td></tr>`
  ).join("\n");
  const head = ["Method", "Route", "Closed", "Open", "Abnormal", "Total", "Mean", "Max"]
    .map((label) => `<th scope="col">${label}</th>`).join("");
  return `<h2>WebSocket sessions</h2>
<p><small>Each session once, from its 101 to its close; its handshake is a request above.</small></p>
<div class="scroll" role="region" aria-label="WebSocket sessions" tabindex="0"><table id="websocket-table"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A bar chart of the latency histogram, log-scale on the x axis (one bar per power of two). */
export function histogramSvg(bars: HistogramBar[]): string {
  const width = 720, height = 228, left = 48, bottom = 44, top = 12;
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
    // At most 8 labels: they stay readable when the chart is scaled down to a phone's width.
    if (index % Math.ceil(bars.length / 8) === 0) {
      parts.push(
        `<text class="tick" x="${(x + slot / 2).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle">${
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

/** The profile page's own styles, over the shared ones. */
const style =
  `<style>#profile-table th,#websocket-table th{background:var(--code)}#profile-table th,#profile-table td,#websocket-table th,#websocket-table td{padding:.3rem .6rem;white-space:nowrap}
button.sort{background:none;border:0;padding:0;color:inherit;font-weight:600;white-space:nowrap}
th[aria-sort=ascending] button.sort::after{content:" ▲"}th[aria-sort=descending] button.sort::after{content:" ▼"}
tr.has-errors td:nth-child(4){color:var(--bad);font-weight:bold}
.bar{fill:var(--accent)}.axis{stroke:var(--muted)}.tick,.caption{font-size:14px;fill:var(--muted)}
.controls{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;margin:.75rem 0}.controls form{margin:0}
.summary{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem}#latency-histogram{display:block;margin:1rem 0}
#cpu-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}#cpu-form input{width:4.5em}</style>`;

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
  head.querySelector("button").addEventListener("click", go);
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
<label for="cpu-seconds">CPU profile for</label> <input type="number" id="cpu-seconds" name="cpu" value="5" min="1" max="${settings.maxCpuSeconds}"> s
<button type="submit">Record .cpuprofile</button></form>
<p><small>It opens in Chrome DevTools (Performance) or speedscope.app.</small></p>`
    : `<p id="cpu-unavailable">CPU profiles are not available here: ${escapeHtml(settings.cpuUnavailable)}.</p>`;
  const json = escapeHtml(settings.action + (settings.action.includes("?") ? "&" : "?") + "format=json");
  const main = `<h1>Profile</h1>
<p class="summary"><span>since <time>${
    escapeHtml(data.since)
  }</time></span><span id="total-requests">${data.requests} requests</span>
<span>${data.errors} errors</span><span>${data.inFlight} in flight</span></p>
<div class="controls"><form method="post" action="${action}" id="reset-form"><button type="submit">Reset</button></form>
<label><input type="checkbox" id="pause"> pause refresh${
    settings.refreshSeconds > 0 ? ` (every ${settings.refreshSeconds} s)` : ""
  }</label>
<a href="${json}">JSON</a></div>
<h2>Routes</h2>
${table(data.routes)}
${webSocketTable(data.webSockets)}
<h2>Latency</h2>
${histogramSvg(data.histogram)}
<h2>CPU</h2>
<section aria-label="CPU profile">${cpu}</section>`;
  return renderPage({
    title: "fetchkit profile",
    label: "profile",
    head: style,
    bodyAttributes: `data-refresh="${settings.refreshSeconds}"`,
    main,
    script,
  });
}
