/**
 * HTTPS: hello world through `serve()` with `tls` vs the bare runtime's own
 * TLS server (Deno.serve with cert and key, Bun.serve with tls, node:https),
 * in the same run, on each runtime, with a certificate made for the run.
 * wrk speaks HTTP/1.1 over TLS, so this measures the TLS path every runtime
 * shares; on Node fetchkit's server is node:http2's (HTTP/1.1 fallback), the
 * bare one node:https. A third row shows the ceiling: on Deno and Bun the bare
 * server reading `request.url` once, on Node node:http2's server with a raw
 * handler. Target: ≥ 0.95 of bare. Each ratio is the median of
 * per-round ratios (bench/_lib/bench.ts).
 *
 * Run: node bench/https.ts   (BENCH_RUNTIMES=deno,bun BENCH_SECONDS=5 BENCH_ROUNDS=3)
 */
import { compare, type CompareRow, report, runOn, selectedRuntimes, type Target } from "./_lib/bench.ts";
import { makeCertificate } from "../tests/_lib/tls.ts";

const certificate = makeCertificate();
const env = { TLS_CERT: certificate.cert, TLS_KEY: certificate.key };
const tables: Record<string, CompareRow[]> = {};
const targets: Target[] = [];
try {
  for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
    const rows = await compare([
      {
        name: `${runtime}: bare TLS server`,
        command: runOn(runtime, "bench/https_server.ts", "bare"),
        env,
        https: true,
      },
      {
        name: `${runtime}: serve() with tls`,
        command: runOn(runtime, "bench/https_server.ts", "fetchkit"),
        env,
        https: true,
      },
      runtime === "node"
        ? {
          name: "node: http2 floor (node:http2 allowHTTP1, raw handler)",
          command: runOn(runtime, "bench/https_server.ts", "http2-floor"),
          env,
          https: true,
        }
        : {
          name: `${runtime}: url floor (bare + one request.url)`,
          command: runOn(runtime, "bench/https_server.ts", "url-floor"),
          env,
          https: true,
        },
    ]);
    tables[runtime] = rows;
    targets.push({ label: `${runtime} serve() https vs bare`, ratio: rows[1].ratio, min: 0.95 });
  }
} finally {
  certificate.remove();
}
report("https", tables, targets);
