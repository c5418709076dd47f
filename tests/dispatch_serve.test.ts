/**
 * Dispatch over real sockets: a WebSocket upgraded through a mount (Deno and
 * Bun), bodies, cookies and hostile paths over HTTP, and a mounted Workers
 * app receiving `env` and `ctx` from a real workerd.
 */
import assert from "node:assert/strict";
import { runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { rawRequest } from "./_lib/static_http.ts";
import { context } from "../src/context.ts";
import type { Handler } from "../src/handler.ts";
import { mount } from "../src/dispatch/mod.ts";

interface DenoUpgrade {
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response };
}
interface BunServer {
  upgrade(request: Request, options: { data: unknown }): boolean;
}

/** Upgrades with the runtime's own API and echoes messages with what the app saw. */
const upgrade: Handler = (request) => {
  const seen = `${new URL(request.url).pathname} ${context(request).base}`;
  if (runtime === "deno") {
    const { socket, response } = (globalThis as unknown as { Deno: DenoUpgrade }).Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => socket.send(`${event.data} via ${seen}`);
    return response;
  }
  const server = context(request).runtimeArgs[0] as BunServer;
  if (server.upgrade(request, { data: seen })) return undefined as unknown as Response;
  return new Response("upgrade failed", { status: 500 });
};

test("mount: a WebSocket upgrades through nested mounts, on the same Request", async () => {
  const app = mount({
    "/": () => new Response("root"),
    "/live": mount({ "/chat": upgrade }),
  });
  const native = {
    websocket: {
      message(socket: { data: string; send(text: string): void }, message: string) {
        socket.send(`${message} via ${socket.data}`);
      },
    },
  };
  await withServer(app, async (url) => {
    const socket = new WebSocket(new URL("/live/chat/room-1?token=t", url.href.replace("http", "ws")));
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        socket.onopen = () => socket.send("hello");
        socket.onmessage = (event) => resolve(String(event.data));
        socket.onerror = () => reject(new Error("WebSocket failed"));
      });
      assert.equal(reply, "hello via /room-1 /live/chat");
    } finally {
      socket.close();
    }
    assert.equal(await (await fetch(url)).text(), "root", "plain HTTP still answered beside it");
  }, runtime === "bun" ? { native } : {});
}, { only: ["deno", "bun"] });

test("mount: over HTTP, a streamed body, the query and every Set-Cookie pass through", async () => {
  const app = mount({
    "/api": async (request) => {
      const body = await request.text();
      const headers = new Headers([["set-cookie", "a=1; Path=/api"], ["set-cookie", "b=2; Path=/api"]]);
      return new Response(`${request.method} ${request.url.slice(request.url.indexOf("/", 8))} ${body.length}`, {
        headers,
      });
    },
  });
  await withServer(app, async (url) => {
    const chunks = ["x".repeat(70_000), "y".repeat(70_000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await fetch(new URL("/api/upload?a=1&a=2&c=%2F", url), {
      method: "POST",
      body,
      // @ts-ignore: `duplex` is needed for a streamed request body, missing from the DOM types.
      duplex: "half",
    });
    assert.equal(await response.text(), "POST /upload?a=1&a=2&c=%2F 140000");
    assert.deepEqual(response.headers.getSetCookie(), ["a=1; Path=/api", "b=2; Path=/api"]);
  });
});

test("mount: over HTTP, /health answered itself, the declared 308 redirect, //evil.com and %zz", async () => {
  const app = mount({
    "/": (request) => new Response(`root ${request.url.slice(request.url.indexOf("/", 8))}`),
    "/docs": {
      app: (request) => new Response(`docs ${request.url.slice(request.url.indexOf("/", 8))}`),
      trailingSlash: "redirect",
    },
    "/health": (request) => new Response(`health ${request.url.slice(request.url.indexOf("/", 8))}`),
  });
  await withServer(app, async (url) => {
    const origin = url.origin;
    const health = await fetch(`${origin}/health?x=1`, { redirect: "manual" });
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "health /?x=1");
    const redirect = await fetch(`${origin}/docs?x=1`, { method: "POST", body: "kept", redirect: "manual" });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get("location"), "/docs/?x=1");
    await redirect.body?.cancel();
    const followed = await fetch(`${origin}/docs?x=1`);
    assert.equal(await followed.text(), "docs /?x=1");
    const bad = await fetch(`${origin}/docs/%zz`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /malformed percent-escape/);
  });
});

test("mount: inside real workerd, a mounted Workers app receives env and ctx", async () => {
  const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join, resolve } = await import("node:path");
  const { startWorkerd } = await import("./_lib/workerd.ts");
  const src = resolve(import.meta.dirname ?? ".", "../src");
  const dir = await mkdtemp(join(tmpdir(), "fetchkit-dispatch-"));
  const entry = join(dir, "entry.ts");
  await writeFile(
    entry,
    `import { bindContext, context } from ${JSON.stringify(join(src, "context.ts"))};
import { mount } from ${JSON.stringify(join(src, "dispatch/mod.ts"))};
const inner = {
  fetch(request, env, ctx) {
    ctx.waitUntil(Promise.resolve());
    return Response.json({ path: new URL(request.url).pathname, greeting: env.GREETING, base: context(request).base });
  },
};
const app = mount({ "/tenant": inner });
export default {
  fetch(request, env, ctx) {
    bindContext(request, { env, runtimeArgs: [env, ctx], waitUntil: (p) => ctx.waitUntil(p) });
    return app(request);
  },
};
`,
  );
  const workerd = await startWorkerd(entry, { text: { GREETING: "hello from env" } });
  try {
    const response = await fetch(new URL("/tenant/a/b?x=1", workerd.url));
    assert.deepEqual(await response.json(), { path: "/a/b", greeting: "hello from env", base: "/tenant" });
  } finally {
    await workerd.close();
    await rm(dir, { recursive: true, force: true });
  }
}, { only: ["node"] });

test("mount: over HTTP, //evil.com stays a path on this host", async () => {
  const app = mount({
    "/": (request) => new Response(`root ${new URL(request.url).host} ${new URL(request.url).pathname}`),
    "/docs": (request) => new Response(`docs ${new URL(request.url).host} ${new URL(request.url).pathname}`),
  });
  await withServer(app, async (url) => {
    // Some clients collapse the leading slashes before sending; either way: this host, no redirect.
    const root = await (await fetch(`${url.origin}//evil.com/`, { redirect: "manual" })).text();
    assert.ok([`root ${url.host} //evil.com/`, `root ${url.host} /evil.com/`].includes(root), root);
    const docs = await (await fetch(`${url.origin}/docs//evil.com`, { redirect: "manual" })).text();
    assert.equal(docs, `docs ${url.host} /evil.com`, "empty segments collapse: the canonical path");
  });
});

test("mount: hostile request targets sent byte-for-byte never escape the mount nor get a 500", async () => {
  const seen = (name: string) => (request: Request) =>
    new Response(`${name} ${request.url.slice(request.url.indexOf("/", 8))} ${context(request).base}`);
  const app = mount({ "/": seen("root"), "/static": seen("static") });
  const cases: [target: string, expected: string | number][] = [
    ["/static/..%2f..%2fetc/passwd", "static /..%2F..%2Fetc/passwd /static"],
    ["/static/../../etc/passwd", "root /etc/passwd "],
    ["/static/%2e%2e/%2e%2e/etc/passwd", "root /etc/passwd "],
    ["/static%2f..%2fsecret", "root /static%2F..%2Fsecret "],
    ["/static/%zz", 400],
    ["/static/a%", 400],
    ["/static//evil.com/x", "static /evil.com/x /static"],
    ["//static/x", "static /x /static"],
    ["/st%61tic/x", "static /x /static"],
    ["/static\\..\\..\\etc", "root /etc "],
  ];
  await withServer(app, async (url) => {
    for (const [target, expected] of cases) {
      const response = await rawRequest(url, target);
      if (typeof expected === "number") {
        assert.equal(response.status, expected, target);
        assert.match(response.text(), /malformed percent-escape/);
      } else {
        assert.equal(response.status, 200, target);
        assert.equal(response.text(), expected, target);
      }
    }
  });
});
