/**
 * The targets for serveStatic, measured against nginx (and Hono's
 * serveStatic) in the same run, server pinned to core 0, clients on core 1:
 *
 * - 1 KiB file, req/s: ≥ 1.0× nginx on Deno and Bun, ≥ 0.8× on Node, ≥ 3× Hono on each;
 * - one 1 GiB download: ≥ 1.0× nginx's throughput;
 * - 16 concurrent 1 GiB downloads add < 64 MiB to the server's peak RSS.
 *
 * Run: node bench/static.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3
 *      BENCH_BIG_MIB=1024; BENCH_PARTS=small,big,memory to choose)
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  compare,
  type CompareRow,
  ensureTools,
  median,
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

const bigMiB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const parts = (process.env.BENCH_PARTS ?? "small,big,memory").split(",");
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const data = join(root, "bench", "results", "static-data");
mkdirSync(data, { recursive: true });

// --- the files ------------------------------------------------------------------------------------------
const small = new Uint8Array(1024).map((_, i) => 97 + (i % 26));
writeFileSync(join(data, "small.txt"), small);
const bigPath = join(data, "big.bin");
if (!existsSync(bigPath) || statSync(bigPath).size !== bigMiB * 1024 * 1024) {
  const fd = openSync(bigPath, "w");
  const chunk = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
  for (let i = 0; i < bigMiB; i++) writeSync(fd, chunk);
  closeSync(fd);
}

// --- the servers ----------------------------------------------------------------------------------------
function nginx(): ServerSpec {
  ensureTools("nginx");
  const dir = join(data, "nginx");
  mkdirSync(dir, { recursive: true });
  // $PORT is only known at start: nginx reads it through a tiny shell wrapper.
  writeFileSync(
    join(dir, "run.sh"),
    `#!/bin/sh
cat > ${dir}/nginx.conf <<CONF
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000 inactive=20s;
  types { text/plain txt; application/octet-stream bin; }
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:$PORT; root ${data}; }
}
CONF
exec /usr/sbin/nginx -p ${dir} -c ${dir}/nginx.conf
`,
    { mode: 0o755 },
  );
  return { name: "nginx", command: ["sh", join(dir, "run.sh")], readyPath: "/small.txt" };
}
const fetchkit = (runtime: Runtime): ServerSpec => ({
  name: `${runtime}: fetchkit serveStatic`,
  command: runOn(runtime, "bench/servers/static.ts"),
  env: { STATIC_ROOT: data },
  readyPath: "/small.txt",
});
/** Not a competitor: the runtime's own server sending the same bytes from memory, the most any handler can reach. */
const ceiling = (runtime: Runtime): ServerSpec => ({
  name: `${runtime}: bare server, 1 KiB from memory (ceiling)`,
  command: runOn(runtime, "bench/servers/bytes.ts"),
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

// --- 1 KiB file, req/s ----------------------------------------------------------------------------------
if (parts.includes("small")) {
  for (const runtime of runtimes) {
    const rows = await compare([nginx(), fetchkit(runtime), hono(runtime), ceiling(runtime)], { path: "/small.txt" });
    tables[`1 KiB file, ${runtime}`] = rows;
    targets.push({ label: `${runtime} 1 KiB vs nginx`, ratio: rows[1].ratio, min: runtime === "node" ? 0.8 : 1.0 });
    targets.push({ label: `${runtime} 1 KiB vs hono`, ratio: pairedRatio(rows[1], rows[2]), min: 3 });
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
  const specs = [nginx(), ...runtimes.map(fetchkit)];
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

report("static", tables, targets);
