import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { gunzipSync } from "node:zlib";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { memoryWatch } from "./_lib/memory.ts";
import { eventually } from "./_lib/wait.ts";
import { run } from "./_lib/run.ts";
import { mount } from "../src/dispatch/mount.ts";
import type { Handler } from "../src/handler.ts";
import { runShutdownHooks } from "../src/lifecycle.ts";
import { balance, proxy } from "../src/middleware/proxy.ts";
import { profile } from "../src/middleware/profile.ts";
import { logger } from "../src/middleware/logger.ts";
import { errors } from "../src/middleware/errors.ts";

const mountedAt = (base: string, handler: Handler): Handler => mount({ [base]: handler });

/** An upstream that describes the request it received. */
const echo: Handler = async (request) => {
  const url = new URL(request.url);
  const body = request.body ? (await request.arrayBuffer()).byteLength : 0;
  return Response.json({
    method: request.method,
    path: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    body,
  }, {
    headers: {
      "x-upstream": "yes",
      connection: "close, x-secret-hop",
      "x-secret-hop": "1",
      "keep-alive": "timeout=77",
    },
  });
};

const MiB = 1024 * 1024;

/**
 * A request with headers fetch() refuses to send (Connection, Keep-Alive, TE,
 * Expect), over node:http. With `Expect: 100-continue` the body waits for the
 * server's `100 Continue`, as curl's does.
 */
async function rawRequest(
  url: URL,
  headers: Record<string, string>,
  init: { method?: string; body?: Uint8Array } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; bytes: Buffer }> {
  const http = await import("node:http");
  return await new Promise((resolve, reject) => {
    const request = http.request(url, { headers, method: init.method ?? "GET" }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: bytes.toString(), bytes });
      });
    });
    request.once("error", reject);
    if (headers.expect) request.once("continue", () => request.end(init.body));
    else request.end(init.body);
  });
}

/** A port nobody listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  return await withServer(() => new Response(), (url) => Promise.resolve(Number(url.port)));
}

test("proxy: maps the path below the mount, forwards method, query and body", async () => {
  await withServer(echo, async (upstream) => {
    const app = mountedAt("/api", proxy(new URL("/v2", upstream)));
    await withServer(app, async (front) => {
      const response = await fetch(new URL("/api/users/7?page=2&q=a%20b", front), { method: "PUT", body: "hello" });
      assert.equal(response.status, 200);
      const seen = await response.json();
      assert.equal(seen.method, "PUT");
      assert.equal(seen.path, "/v2/users/7?page=2&q=a%20b");
      assert.equal(seen.body, 5);
      assert.equal(response.headers.get("x-upstream"), "yes");
    });
  });
});

test("proxy: hop-by-hop headers are removed both ways, including those named in Connection", async () => {
  await withServer(echo, async (upstream) => {
    await withServer(proxy(upstream), async (front) => {
      const raw = await rawRequest(new URL("/h", front), {
        connection: "keep-alive, x-private",
        "x-private": "1",
        "keep-alive": "timeout=300",
        te: "trailers",
        "x-end": "kept",
        "proxy-authorization": "Basic x",
      });
      assert.equal(raw.status, 200);
      const { headers } = JSON.parse(raw.body);
      for (const name of ["x-private", "keep-alive", "te", "proxy-authorization"]) {
        assert.equal(headers[name], undefined, name);
      }
      assert.equal(headers["x-end"], "kept");
      const response = await fetch(new URL("/h", front));
      await response.body?.cancel();
      assert.equal(response.headers.get("x-secret-hop"), null);
      // The front server may add its own Keep-Alive (node:http does); the upstream's must not pass.
      assert.notEqual(response.headers.get("keep-alive"), "timeout=77");
    });
  });
});

test("proxy: an upload sent with Expect: 100-continue (as curl does) reaches the upstream", async () => {
  await withServer(echo, async (upstream) => {
    await withServer(proxy(upstream), async (front) => {
      const body = new Uint8Array(3 * MiB).fill(1);
      const raw = await rawRequest(new URL("/up", front), {
        expect: "100-continue",
        "content-length": String(body.length),
      }, { method: "PUT", body });
      assert.equal(raw.status, 200, raw.body);
      const seen = JSON.parse(raw.body);
      assert.equal(seen.body, body.length);
      assert.equal(seen.headers.expect, undefined);
    });
  });
});

test("proxy: a sloppy Connection header (empty items, not field names) is no 500", async () => {
  await withServer(echo, async (upstream) => {
    await withServer(proxy(upstream), async (front) => {
      const raw = await rawRequest(new URL("/h", front), {
        connection: "keep-alive, , x-private, not a name",
        "x-private": "1",
      });
      assert.equal(raw.status, 200);
      assert.equal(JSON.parse(raw.body).headers["x-private"], undefined);
    });
  });
});

test("proxy: X-Forwarded-* and Forwarded set afresh, or appended when trusted", async () => {
  await withServer(echo, async (upstream) => {
    const spoofed = { "x-forwarded-for": "6.6.6.6", "x-forwarded-host": "evil", forwarded: "for=6.6.6.6" };
    await withServer(proxy(upstream), async (front) => {
      const { headers } = await (await fetch(new URL("/f", front), { headers: spoofed })).json();
      assert.match(headers["x-forwarded-for"], /^(::ffff:)?127\.0\.0\.1$/);
      assert.equal(headers["x-forwarded-proto"], "http");
      assert.equal(headers["x-forwarded-host"], front.host);
      assert.match(
        headers.forwarded,
        new RegExp(`^for=("\\[::ffff:127\\.0\\.0\\.1\\]"|127\\.0\\.0\\.1);host="${front.host}";proto=http$`),
      );
    });
    await withServer(proxy(upstream, { trustForwarded: (remote) => remote !== undefined }), async (front) => {
      const { headers } = await (await fetch(new URL("/f", front), { headers: spoofed })).json();
      assert.match(headers["x-forwarded-for"], /^6\.6\.6\.6, (::ffff:)?127\.0\.0\.1$/);
      assert.equal(headers["x-forwarded-host"], "evil");
      assert.match(headers.forwarded, /^for=6\.6\.6\.6, for=/);
    });
  });
});

test("proxy: Location and Set-Cookie paths are rewritten for the mount prefix", async () => {
  const upstreamApp: Handler = (request) => {
    const headers = new Headers({ location: new URL("/inner/login?next=%2F", request.url).href });
    headers.append("set-cookie", "sid=1; Path=/inner; HttpOnly");
    headers.append("set-cookie", "pref=2; Path=/inner/settings");
    headers.append("set-cookie", "other=3; Path=/elsewhere");
    return new Response(null, { status: 302, headers });
  };
  await withServer(upstreamApp, async (upstream) => {
    await withServer(mountedAt("/app", proxy(new URL("/inner", upstream))), async (front) => {
      const response = await fetch(new URL("/app/x", front), { redirect: "manual" });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get("location"), "/app/login?next=%2F");
      assert.deepEqual(response.headers.getSetCookie(), [
        "sid=1; Path=/app; HttpOnly",
        "pref=2; Path=/app/settings",
        "other=3; Path=/elsewhere",
      ]);
    });
  });
});

test("proxy: upstream down → 502, slow upstream → 504", async () => {
  const port = await deadPort();
  await withServer(proxy(`http://127.0.0.1:${port}`), async (front) => {
    const response = await fetch(front);
    assert.equal(response.status, 502);
    assert.match(await response.text(), /^Bad Gateway/);
  });
  const slow: Handler = () => new Promise((resolve) => setTimeout(() => resolve(new Response("late")), 1500));
  await withServer(slow, async (upstream) => {
    await withServer(proxy(upstream, { timeout: 200 }), async (front) => {
      const started = Date.now();
      const response = await fetch(front);
      assert.equal(response.status, 504);
      assert.match(await response.text(), /^Gateway Timeout/);
      assert.ok(Date.now() - started < 1400, "answered before the upstream did");
    });
  });
});

/** `size` bytes in 64 KiB chunks, made only when pulled; `onPull` sees the running total. */
function pulledStream(size: number, onPull: (total: number) => void = () => {}): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let total = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (total >= size) return controller.close();
      total += chunk.length;
      onPull(total);
      controller.enqueue(chunk.slice());
    },
  }, { highWaterMark: 0 });
}

test("proxy: 64 MiB streamed both ways, backpressure holds, memory bounded", async () => {
  // The decisive check is backpressure: with the far end stalled, the near end
  // may run ahead only by what sockets and stream queues hold, never by the
  // whole body. Then a second round of both transfers, once the heaps have
  // grown to their working size, must not grow live memory by a body's worth.
  const size = 64 * MiB;
  const large = { limits: { maxBodySize: 2 * size } }; // serve's default limit is 16 MiB
  // What may sit in kernel socket buffers and stream queues: Linux grows a loopback receive
  // buffer up to tcp_rmem's maximum (32 MiB here) and Bun's client measured 30 MiB ahead. A
  // proxy that buffered the body would run the full 63 MiB ahead.
  const ahead = 48 * MiB;
  let consumed = 0;
  let produced = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const upstreamApp: Handler = async (request) => {
    if (request.method === "POST") {
      let total = 0;
      for await (const chunk of request.body!) {
        consumed = total += chunk.byteLength;
        if (total >= MiB && total - chunk.byteLength < MiB) await released;
      }
      return new Response(String(total));
    }
    return new Response(pulledStream(size, (total) => (produced = total)));
  };
  await withServer(upstreamApp, async (upstream) => {
    await withServer(proxy(upstream), async (front) => {
      let sent = 0;
      const upload = () =>
        // @ts-ignore: `duplex` streams the upload
        fetch(front, { method: "POST", body: pulledStream(size, (total) => (sent = total)), duplex: "half" });
      const uploading = upload();
      try {
        await eventually(() => consumed >= MiB, "the upstream to receive the first MiB");
        await new Promise((r) => setTimeout(r, 400));
        assert.ok(
          sent - consumed < ahead,
          `upload ran ${((sent - consumed) / MiB).toFixed(1)} MiB ahead of a stalled upstream`,
        );
      } finally {
        release(); // a failed check must not leave the upstream stalled and the servers unable to stop
      }
      assert.equal(await (await uploading).text(), String(size));

      const download = await fetch(front);
      const reader = download.body!.getReader();
      let received = 0;
      while (received < MiB) received += (await reader.read()).value!.byteLength;
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(
        produced - received < ahead,
        `upstream ran ${((produced - received) / MiB).toFixed(1)} MiB ahead of a stalled client`,
      );
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
      assert.equal(received, size);

      // The memory round uses curl: Node's own fetch would hold the client's upload (undici#4058).
      const growth = memoryWatch();
      const curl = (script: string) => run("sh", ["-c", script]);
      assert.equal(await curl(`head -c ${size} /dev/zero | curl -sS -X POST -T - ${front.href}`), String(size));
      assert.equal((await curl(`curl -sS ${front.href} | wc -c`)).trim(), String(size));
      const grown = growth();
      assert.ok(grown < 32 * MiB, `memory grew by ${(grown / MiB).toFixed(1)} MiB for 2 × 64 MiB`);
    }, large);
  }, large);
}, { timeout: 60_000 });

test("proxy: compressed bodies pass through as they are, with the client's Accept-Encoding", async () => {
  const text = "compressible ".repeat(1000);
  const upstreamApp: Handler = (request) => {
    const gzip = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Response(gzip, {
      headers: {
        "content-encoding": "gzip",
        "content-type": "text/plain",
        "x-asked": request.headers.get("accept-encoding") ?? "",
      },
    });
  };
  await withServer(upstreamApp, async (upstream) => {
    await withServer(proxy(upstream), async (front) => {
      const asked = await fetch(front, { headers: { "accept-encoding": "gzip" } });
      // Deno's fetch would decode what the proxy accepts, so there it asks for identity.
      assert.equal(asked.headers.get("x-asked"), runtime === "deno" ? "identity" : "gzip");
      assert.equal(asked.headers.get("content-encoding"), "gzip");
      assert.equal(await asked.text(), text); // the client decodes by the header
      // An upstream that compresses although the client asked for nothing: still consistent.
      const raw = await rawRequest(new URL("/", front), {});
      assert.equal(raw.headers["content-encoding"], "gzip");
      assert.equal(raw.headers["x-asked"], "identity");
      assert.deepEqual(gunzipSync(raw.bytes).toString(), text);
    });
  });
});

test("balance: round-robin, one retry on another replica for idempotent requests", async () => {
  const named = (name: string): Handler => () => new Response(name);
  await withServer(named("a"), async (a) => {
    await withServer(named("b"), async (b) => {
      const app = balance([a, b]);
      await withServer(app, async (front) => {
        const seen = [];
        for (let i = 0; i < 4; i++) seen.push(await (await fetch(front)).text());
        assert.deepEqual(seen, ["a", "b", "a", "b"]);
      });
    });
    const down = `http://127.0.0.1:${await deadPort()}`;
    await withServer(balance([down, a]), async (front) => {
      for (let i = 0; i < 3; i++) {
        assert.equal(await (await fetch(front)).text(), "a", "GET retried on the live replica");
      }
      const post = await fetch(front, { method: "POST", body: "x" });
      const posts = [post.status, (await fetch(front, { method: "POST", body: "x" })).status].sort();
      await post.body?.cancel();
      assert.deepEqual(posts, [200, 502], "a POST is never retried");
    });
  });
});

test("proxy: the primary/replicas split in five lines", async () => {
  const named = (name: string): Handler => (request) => new Response(`${name} ${request.method}`);
  await withServer(named("primary"), async (p) => {
    await withServer(named("replica1"), async (r1) => {
      await withServer(named("replica2"), async (r2) => {
        const primary = proxy(p);
        const replicas = balance([r1, r2]);
        const app = (request: Request) => request.method === "POST" ? primary(request) : replicas(request);
        await withServer(app, async (front) => {
          assert.equal(await (await fetch(front, { method: "POST" })).text(), "primary POST");
          assert.equal(await (await fetch(front)).text(), "replica1 GET");
          assert.equal(await (await fetch(front)).text(), "replica2 GET");
        });
      });
    });
  });
});

test("proxy: bad upstreams and options are TypeErrors", () => {
  assert.throws(() => proxy("not a url"), { name: "TypeError", message: /proxy: upstream must be an absolute/ });
  assert.throws(() => proxy("ftp://x"), { name: "TypeError", message: /http: or https:/ });
  assert.throws(() => proxy("http://x", { timeout: -1 }), { name: "TypeError", message: /proxy: timeout/ });
  assert.throws(() => balance([]), { name: "TypeError", message: /balance: upstreams/ });
  assert.throws(() => balance(["http://a", "nope"]), { name: "TypeError", message: /upstreams\[1\]/ });
});

test("profile: logFile is flushed as JSON lines by the shutdown hooks", async () => {
  const { mkdtemp, readFile, rm } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(join(tmpdir(), "fetchkit-profile-"));
  try {
    const logFile = join(dir, "profile.jsonl");
    const profiler = profile({ mode: "production", logFile });
    const app = profiler(mountedAt("/shop", () => new Response("ok")));
    await withServer(app, async (url) => {
      for (let i = 0; i < 3; i++) await (await fetch(new URL("/shop/item", url))).text();
    });
    await runShutdownHooks();
    const lines = (await readFile(logFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].route, "/shop");
    assert.equal(lines[0].method, "GET");
    assert.equal(lines[0].count, 3);
    assert.ok(lines[0].p99Ms >= lines[0].p50Ms);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("logger: the client's address comes from serve", async () => {
  const lines: string[] = [];
  await withServer(
    logger({ format: "common", write: (line) => lines.push(line) })(() => new Response("hi")),
    async (url) => {
      await (await fetch(new URL("/who?x=1", url))).text();
    },
  );
  assert.match(lines[0], /^127\.0\.0\.1 - - \[.*\] "GET \/who\?x=1 HTTP\/1\.1" 200 (2|-) \d+\.\d+ms$/);
});

test("errors: a body failing mid-stream closes the connection, logged once, no second response", async () => {
  const logged: string[] = [];
  const app = errors({ mode: "production", watchBodies: true, log: (m) => logged.push(m) })(() => {
    let sent = 0;
    return new Response(
      new ReadableStream({
        async pull(controller) {
          if (sent++ < 3) return controller.enqueue(new Uint8Array(16 * 1024).fill(97));
          await new Promise((r) => setTimeout(r, 20));
          controller.error(new Error("backend went away"));
        },
      }),
      { headers: { "content-type": "text/plain" } },
    );
  });
  const originalError = console.error;
  console.error = () => {}; // the runtime's own report of the aborted stream
  try {
    await withServer(app, async (url) => {
      const response = await fetch(url);
      assert.equal(response.status, 200);
      await assert.rejects(response.arrayBuffer());
    });
  } finally {
    console.error = originalError;
  }
  assert.equal(logged.length, 1);
  assert.match(
    logged[0],
    /error while streaming the body, headers already sent; closing the connection\nError: backend went away/,
  );
});

test("profile + logger: SIGTERM flushes the profile log and the access log to stderr (subprocess)", async () => {
  const { spawn } = await import("node:child_process");
  const { mkdtemp, readFile, rm, writeFile } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(join(tmpdir(), "fetchkit-sigterm-"));
  const root = resolve(import.meta.dirname ?? ".", "..");
  try {
    const logFile = join(dir, "profile.jsonl");
    const script = join(dir, "server.ts");
    await writeFile(
      script,
      `
import { serve } from ${JSON.stringify(join(root, "src/serve/serve.ts"))};
import { profile } from ${JSON.stringify(join(root, "src/middleware/profile.ts"))};
import { logger } from ${JSON.stringify(join(root, "src/middleware/logger.ts"))};
const profiled = profile({ mode: "production", logFile: ${JSON.stringify(logFile)} });
const app = profiled(logger({ format: "common" })(() => new Response("ok", { headers: { "content-length": "2" } })));
await serve(app, { port: 0, hostname: "127.0.0.1", onListen: ([url]) => console.log(url.href) });
`,
    );
    const bin = (name: string) => join(root, "node_modules/.bin", name);
    const [command, ...args] = runtime === "deno"
      ? [bin("deno"), "run", "-A", "--config", join(root, "deno.json"), script]
      : runtime === "bun"
      ? [bin("bun"), script]
      : [bin("node"), script];
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = "";
        child.stdout!.on("data", (chunk) => {
          out += chunk;
          if (out.includes("\n")) done(out.trim());
        });
        child.once("exit", () => fail(new Error("server exited before listening")));
      });
      for (let i = 0; i < 2; i++) await (await fetch(new URL(`/page/${i}`, url))).text();
      child.kill("SIGTERM");
      await exited;
      const lines = (await readFile(logFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
      assert.equal(lines[0].count, 2);
      assert.equal(lines[0].route, "(unrouted)");
      const access = stderr.split("\n").filter((line) => line.includes('"GET /page/'));
      assert.equal(access.length, 2, `stderr was:\n${stderr}`);
      assert.match(access[1], /^127\.0\.0\.1 - - \[.*\] "GET \/page\/1 HTTP\/1\.1" 200 2 \d+\.\d{3}ms$/);
    } finally {
      child.kill("SIGKILL");
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("mode: FETCHKIT_ENV wins over NODE_ENV, unset means production (subprocess per case)", async () => {
  const { execFile } = await import("node:child_process");
  const { join, resolve } = await import("node:path");
  const root = resolve(import.meta.dirname ?? ".", "..");
  const script = join(root, "src/middleware/mode.ts");
  const code = `import(${JSON.stringify(script)}).then((m) => console.log(m.resolveMode()))`;
  const bin = (name: string) => join(root, "node_modules/.bin", name);
  const [command, ...args] = runtime === "deno"
    ? [bin("deno"), "eval", "--no-config", code]
    : runtime === "bun"
    ? [bin("bun"), "-e", code]
    : [bin("node"), "-e", code];
  const run = (vars: Record<string, string>) =>
    new Promise<string>((done, fail) => {
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => name !== "FETCHKIT_ENV" && name !== "NODE_ENV"),
      );
      execFile(command, args, { env: { ...clean, ...vars } }, (error, stdout) =>
        error ? fail(error) : done(stdout.trim()));
    });
  assert.equal(await run({}), "production");
  assert.equal(await run({ NODE_ENV: "development" }), "development");
  assert.equal(await run({ FETCHKIT_ENV: "dev" }), "development");
  assert.equal(await run({ FETCHKIT_ENV: "production", NODE_ENV: "development" }), "production");
  assert.equal(await run({ FETCHKIT_ENV: "staging" }), "production");
});
