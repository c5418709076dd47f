/**
 * Request bodies nobody reads must not pile up: each runtime's fetchkit
 * server and its bare runtime server (Deno.serve, Bun.serve, node:http) get
 * UNREAD_REQUESTS (default 50 000) small POSTs whose bodies the handler
 * ignores, then as many CORS preflights (OPTIONS), over UNREAD_CONNECTIONS
 * (default 8) keep-alive sockets on loopback. Reports RSS and the heap after
 * a full collection at the start, at the end and 5 s later. Pass: fetchkit's
 * growth (end, and 5 s later, over the start) is at most the bare server's
 * plus 10 % of the bare server's RSS at the start (growth of a few MiB is
 * allocator and JIT noise that a ratio of growths would blow up).
 *
 * Not part of `npm test`. Run: node bench/unread_bodies.ts   (BENCH_RUNTIMES=deno,bun,node)
 */
import { connect } from "node:net";
import { runOn, type Runtime, selectedRuntimes, startServer } from "./_lib/bench.ts";

const count = Number(process.env.UNREAD_REQUESTS ?? 50_000);
const connections = Number(process.env.UNREAD_CONNECTIONS ?? 8);
const MiB = 2 ** 20;

interface Memory {
  rss: number;
  heap: number;
}

/** Sends `total` copies of `request` over keep-alive sockets, one in flight per socket; returns the non-2xx count. */
async function load(url: URL, request: string, total: number): Promise<number> {
  let left = total;
  let failures = 0;
  const socketLoop = () =>
    new Promise<void>((done, fail) => {
      const socket = connect(Number(url.port), url.hostname);
      let buffer = "";
      const next = () => {
        if (left-- <= 0) return void (socket.end(), done());
        socket.write(request);
      };
      socket.on("data", (chunk) => {
        buffer += chunk.toString("latin1");
        for (let end = buffer.indexOf("\r\n\r\n"); end >= 0; end = buffer.indexOf("\r\n\r\n")) {
          const head = buffer.slice(0, end);
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffer.length < end + 4 + length) return;
          if (head[9] !== "2") failures++;
          buffer = buffer.slice(end + 4 + length);
          next();
        }
      });
      socket.once("error", fail);
      socket.once("connect", next);
    });
  await Promise.all(Array.from({ length: connections }, socketLoop));
  return failures;
}

async function memoryOf(url: URL): Promise<Memory> {
  return await (await fetch(new URL("/memory", url))).json() as Memory;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)}`;

async function measure(runtime: Runtime, bare: boolean) {
  const server = await startServer({
    name: `${runtime} ${bare ? "bare" : "fetchkit"}`,
    command: runOn(runtime, "bench/servers/unread.ts", ...(bare ? ["bare"] : [])),
    readyPath: "/memory",
  });
  try {
    const host = server.url.host;
    const post = `POST /ignore HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`;
    const preflight = `OPTIONS /ignore HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://app.test\r\n` +
      `Access-Control-Request-Method: POST\r\n\r\n`;
    // A short warm-up, so the start is measured with the code paths compiled.
    await load(server.url, post, 1000);
    await load(server.url, preflight, 1000);
    const start = await memoryOf(server.url);
    const began = performance.now();
    const failures = (await load(server.url, post, count)) + (await load(server.url, preflight, count));
    const seconds = (performance.now() - began) / 1000;
    const end = await memoryOf(server.url);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const later = await memoryOf(server.url);
    return { start, end, later, failures, seconds };
  } finally {
    await server.stop();
  }
}

const lines = [`# unread bodies: ${count} ignored POST bodies + ${count} preflights, ${connections} connections`];
let failed = false;
for (const runtime of selectedRuntimes(["deno", "bun", "node"])) {
  const bare = await measure(runtime, true);
  const kit = await measure(runtime, false);
  lines.push(
    `\n## ${runtime}`,
    "| server | RSS start / end / +5 s (MiB) | heap after GC start / end / +5 s (MiB) | s |",
  );
  lines.push("| --- | --- | --- | --- |");
  for (const [name, m] of [["bare", bare], ["fetchkit", kit]] as const) {
    lines.push(
      `| ${name} | ${mib(m.start.rss)} / ${mib(m.end.rss)} / ${mib(m.later.rss)} | ${mib(m.start.heap)} / ${
        mib(m.end.heap)
      } / ${mib(m.later.heap)} | ${m.seconds.toFixed(1)}${m.failures ? ` (${m.failures} non-2xx)` : ""} |`,
    );
  }
  const allowance = 0.1 * bare.start.rss;
  for (const at of ["end", "later"] as const) {
    const kitGrowth = kit[at].rss - kit.start.rss;
    const bareGrowth = bare[at].rss - bare.start.rss;
    const ok = kitGrowth <= bareGrowth + allowance && kit.failures === 0;
    if (!ok) failed = true;
    lines.push(
      `${ok ? "PASS" : "MISS"}  RSS growth at ${at === "end" ? "the end" : "+5 s"}: fetchkit ${mib(kitGrowth)} MiB, ` +
        `bare ${mib(bareGrowth)} MiB (allowed: bare + ${mib(allowance)})`,
    );
  }
}
console.log(lines.join("\n"));
if (failed && process.env.BENCH_NO_FAIL !== "1") process.exitCode = 1;
