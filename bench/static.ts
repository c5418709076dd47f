/**
 * serveStatic against the runtime's own ceiling (its bare server answering
 * the same bytes from memory, no fetchkit), nginx and Hono's serveStatic, in
 * the same run; server pinned to core 0, clients on core 1. Each row group
 * is a part (BENCH_PARTS):
 *
 * - small: 1 KiB from cache vs the ceiling (and beside it the floor: the
 *   ceiling reading the URL, method, If-None-Match and Range first), ≥ 0.95× by req/s and by CPU per
 *   request on each runtime; Bun ≥ 1.0× nginx; ≥ 3× Hono on each;
 * - revalidate: If-None-Match → 304 vs a bare 304 with the same headers, ≥ 0.90×;
 * - range: `Range: bytes=100-199` → 206 vs a bare 206 of the same bytes, ≥ 0.90×;
 * - tree: 10,000 files of 1 KiB asked uniformly at random (wrk + Lua): fetchkit
 *   with its defaults (at this rate each path is asked less often than its
 *   1 s stat TTL, so nearly every request resolves the path again), with a
 *   60 s stat TTL (the tree fits the 32 MiB body cache), with a 60 s TTL and
 *   a 2 MiB body budget (the tree is 5× the cache: the LRU turns over, most
 *   bodies are read from disk), nginx and Hono; req/s and RSS (reported, not
 *   targeted);
 * - big: one 1 GiB download ≥ 1.0× nginx's throughput;
 * - memory: 16 concurrent 1 GiB downloads add < 64 MiB to the server's peak RSS.
 *
 * Run: node bench/static.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=5
 *      BENCH_BIG_MIB=1024; BENCH_PARTS=small,revalidate,range,tree,big,memory to choose)
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  compare,
  type CompareRow,
  median,
  pairedCpuRatio,
  pairedRatio,
  report,
  root,
  runOn,
  type Runtime,
  selectedRuntimes,
  type ServerSpec,
  startServer,
  type Target,
} from "./_lib/bench.ts";
import { nginxServer } from "./_lib/nginx.ts";

const bigMiB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const parts = (process.env.BENCH_PARTS ?? "small,revalidate,range,tree,big,memory").split(",");
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const data = join(root, "bench", "results", "static-data");
mkdirSync(data, { recursive: true });

// --- the files ------------------------------------------------------------------------------------------
const small = new Uint8Array(1024).map((_, i) => 97 + (i % 26));
writeFileSync(join(data, "small.txt"), small);
/** serveStatic's ETag of small.txt (variant.ts: size and mtime in base 36), for the 304 rows. */
const smallStat = statSync(join(data, "small.txt"));
const smallEtag = `"${smallStat.size.toString(36)}-${Math.floor(smallStat.mtimeMs).toString(36)}"`;
const TREE_FILES = 10_000;
const treeFile = (i: number) =>
  `tree/${String(Math.floor(i / 100)).padStart(2, "0")}/${String(i).padStart(4, "0")}.txt`;
if (parts.includes("tree") && !existsSync(join(data, treeFile(TREE_FILES - 1)))) {
  for (let i = 0; i < TREE_FILES; i++) {
    const path = join(data, treeFile(i));
    if (i % 100 === 0) mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, small.map((byte) => byte ^ (i & 7)));
  }
}
const bigPath = join(data, "big.bin");
if (!existsSync(bigPath) || statSync(bigPath).size !== bigMiB * 1024 * 1024) {
  const fd = openSync(bigPath, "w");
  const chunk = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
  for (let i = 0; i < bigMiB; i++) writeSync(fd, chunk);
  closeSync(fd);
}

// --- the servers ----------------------------------------------------------------------------------------
function nginx(): ServerSpec {
  return nginxServer({
    name: "nginx",
    root: data,
    dir: join(data, "nginx"),
    readyPath: "/small.txt",
    directives: ["tcp_nopush on;", "types { text/plain txt; application/octet-stream bin; }"],
  });
}
/** serveStatic's cache settings for a row: the body budget and the stat TTL (ms), each default when absent. */
interface CacheSetting {
  bytes?: number;
  statTtl?: number;
}
const settingName = ({ bytes, statTtl }: CacheSetting) =>
  [
    bytes === undefined ? "" : `${bytes / 1024 / 1024} MiB cache`,
    statTtl === undefined ? "" : `stat TTL ${statTtl / 1000} s`,
  ]
    .filter(Boolean).join(", ");
const fetchkit = (runtime: Runtime, setting: CacheSetting = {}): ServerSpec => ({
  name: `${runtime}: fetchkit serveStatic${settingName(setting) === "" ? "" : `, ${settingName(setting)}`}`,
  command: runOn(runtime, "bench/servers/static.ts"),
  env: {
    STATIC_ROOT: data,
    ...(setting.bytes === undefined ? {} : { STATIC_CACHE_BYTES: String(setting.bytes) }),
    ...(setting.statTtl === undefined ? {} : { STATIC_STAT_TTL: String(setting.statTtl) }),
  },
  readyPath: "/small.txt",
});
/**
 * Not a competitor: the runtime's own server sending the same status, headers
 * and bytes from memory (bench/servers/bytes.ts), the most any handler can reach.
 */
const ceiling = (runtime: Runtime, status: 200 | 304 | 206 = 200): ServerSpec => ({
  name: `${runtime}: bare server, ${status} from memory (ceiling)`,
  command: runOn(runtime, "bench/servers/bytes.ts", String(status)),
});
/**
 * Not a competitor either: the ceiling's server doing first the least any
 * file server must do for the request (its URL, method, If-None-Match and
 * Range read), where the ceiling itself reads nothing (on Deno and Bun not
 * even a Request is built for it).
 */
const floor = (runtime: Runtime, status: 200 | 304 | 206 = 200): ServerSpec => ({
  name: `${runtime}: bare server reading URL, method, If-None-Match, Range (floor)`,
  command: runOn(runtime, "bench/servers/bytes.ts", String(status), "floor"),
});
const hono = (runtime: Runtime): ServerSpec => ({
  name: `${runtime}: hono serveStatic`,
  command: runOn(runtime, "bench/servers/static_hono.ts"),
  env: { STATIC_ROOT: data },
  readyPath: "/small.txt",
});

const runtimes = selectedRuntimes(["deno", "bun", "node"]);
const tables: Record<string, CompareRow[]> = {};
const targets: Target[] = [];
const notes: string[] = [];

/** The targets of a row against the ceiling: by req/s and by CPU per request; beside them, the row vs the floor. */
function againstCeiling(
  label: string,
  row: CompareRow,
  ceilingRow: CompareRow,
  floorRow: CompareRow,
  min: number,
): void {
  targets.push({ label: `${label} vs ceiling, req/s`, ratio: pairedRatio(row, ceilingRow), min });
  targets.push({ label: `${label} vs ceiling, CPU/request`, ratio: pairedCpuRatio(row, ceilingRow), min });
  notes.push(
    `${label} vs floor: ${pairedRatio(row, floorRow).toFixed(3)} req/s, ${
      pairedCpuRatio(row, floorRow).toFixed(3)
    } CPU/request (the floor vs the ceiling: ${pairedRatio(floorRow, ceilingRow).toFixed(3)}, ${
      pairedCpuRatio(floorRow, ceilingRow).toFixed(3)
    })`,
  );
}

// --- 1 KiB file from cache ------------------------------------------------------------------------------
if (parts.includes("small")) {
  for (const runtime of runtimes) {
    const specs = [ceiling(runtime), floor(runtime), fetchkit(runtime), nginx(), hono(runtime)];
    const rows = await compare(specs, { path: "/small.txt" });
    tables[`1 KiB file, ${runtime} (ratios to the ceiling)`] = rows;
    const [bare, floorRow, ours, nginxRow, honoRow] = rows;
    againstCeiling(`${runtime} 1 KiB`, ours, bare, floorRow, 0.95);
    const vsNginx = pairedRatio(ours, nginxRow);
    if (runtime === "bun") targets.push({ label: `${runtime} 1 KiB vs nginx`, ratio: vsNginx, min: 1.0 });
    else {notes.push(
        `${runtime} 1 KiB vs nginx: ${vsNginx.toFixed(3)} (the ceiling: ${pairedRatio(bare, nginxRow).toFixed(3)})`,
      );}
    targets.push({ label: `${runtime} 1 KiB vs hono`, ratio: pairedRatio(ours, honoRow), min: 3 });
  }
}

// --- 304 and 206 from cache -----------------------------------------------------------------------------
const hotRows: [part: string, status: 304 | 206, headers: Record<string, string>][] = [
  ["revalidate", 304, { "if-none-match": smallEtag }],
  ["range", 206, { range: "bytes=100-199" }],
];
for (const [part, status, headers] of hotRows) {
  if (!parts.includes(part)) continue;
  for (const runtime of runtimes) {
    const specs = [ceiling(runtime, status), floor(runtime, status), fetchkit(runtime)];
    const rows = await compare(specs, { path: "/small.txt", headers });
    tables[`${status} of the 1 KiB file, ${runtime} (${Object.entries(headers)[0].join(": ")})`] = rows;
    againstCeiling(`${runtime} ${status}`, rows[2], rows[0], rows[1], 0.9);
  }
}

// --- 10,000 files asked at random -----------------------------------------------------------------------
if (parts.includes("tree")) {
  const script = join(root, "bench", "scripts", "random_tree.lua");
  const warmupScript = join(root, "bench", "scripts", "sequential_tree.lua");
  for (const runtime of runtimes) {
    const long = 60_000;
    const specs = [
      nginx(),
      fetchkit(runtime),
      fetchkit(runtime, { statTtl: long }),
      fetchkit(runtime, { statTtl: long, bytes: 2 * 1024 * 1024 }),
      hono(runtime),
    ];
    // A warm-up that asks for the 10,000 paths in order, so each was resolved once before the rounds
    // (at random, a few seconds leave most paths unasked, and the rounds would measure first resolutions).
    const rows = await compare(specs, { path: "/", script, warmupScript, rss: true, warmup: 10 });
    tables[`${TREE_FILES.toLocaleString("en")} files of 1 KiB at random, ${runtime} (ratios to nginx)`] = rows;
  }
}

/** Downloads `path` with curl on core 1; bytes per second. */
function download(url: URL): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn("taskset", ["-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download}", url.href]);
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.once("exit", (code) => (code === 0 ? done(Number(out)) : fail(new Error(`curl exited ${code}`))));
  });
}

// --- one 1 GiB download ---------------------------------------------------------------------------------
if (parts.includes("big")) {
  const specs = [nginx(), ...runtimes.map((runtime) => fetchkit(runtime))];
  const servers = [];
  try {
    for (const spec of specs) servers.push(await startServer(spec));
    const samples: number[][] = specs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) samples[i].push(await download(new URL("/big.bin", server.url)));
    }
    const rows: CompareRow[] = specs.map((spec, i) => ({
      name: spec.name,
      requestsPerSec: median(samples[i]),
      ratio: 1,
      rounds: samples[i],
      errors: 0,
    }));
    for (const row of rows) row.ratio = pairedRatio(row, rows[0]);
    tables[`${bigMiB} MiB download (bytes/s)`] = rows;
    for (const [i, runtime] of runtimes.entries()) {
      targets.push({ label: `${runtime} ${bigMiB} MiB download vs nginx`, ratio: rows[i + 1].ratio, min: 1.0 });
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

// --- 16 concurrent 1 GiB downloads: peak RSS growth -----------------------------------------------------
if (parts.includes("memory")) {
  const rows: CompareRow[] = [];
  for (const runtime of runtimes) {
    const server = await startServer(fetchkit(runtime));
    try {
      // Warm up the code paths so that JIT and buffers are in the baseline, not in the growth.
      await download(new URL("/big.bin", server.url));
      const before = server.rss();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 25);
      await Promise.all(Array.from({ length: 16 }, () => download(new URL("/big.bin", server.url))));
      clearInterval(sampler);
      const grownMiB = (peak - before) / 1024 / 1024;
      rows.push({
        name: `${runtime}: peak RSS growth (MiB)`,
        requestsPerSec: grownMiB,
        ratio: grownMiB,
        rounds: [],
        errors: 0,
      });
      // Expressed as a ratio for report(): 64 MiB / growth must be ≥ 1.
      targets.push({
        label: `${runtime} 16 × ${bigMiB} MiB: 64 MiB / RSS growth`,
        ratio: 64 / Math.max(grownMiB, 0.001),
        min: 1,
      });
    } finally {
      await server.stop();
    }
  }
  tables["16 concurrent downloads"] = rows;
}

report("static", tables, targets, notes);
