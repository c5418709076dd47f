// @workerd
import assert from "node:assert/strict";
import fc from "fast-check";
import { Hono } from "hono";
import { test } from "./_lib/test.ts";
import { bindContext, context, copyContext } from "../src/context.ts";
import type { Handler } from "../src/handler.ts";
import { byMethod, cascade, hosts, isPass, match, mount, pass } from "../src/dispatch/mod.ts";
import { readHost } from "../src/internal/host.ts";
import { memorySource, serveStatic } from "../src/static/mod.ts";

const origin = "http://localhost";
const rawPathOf = (url: string) => url.slice(origin.length).replace(/\?.*$/, "");
const call = (app: Handler, path: string, init?: RequestInit) => app(new Request(origin + path, init));
const text = async (app: Handler, path: string, init?: RequestInit) => await (await call(app, path, init)).text();
const view = (request: Request) => {
  const { params, route, base } = context(request);
  return { params, route, base };
};
/** A handler that answers with its name and what it sees: `name path base`. */
const echo = (name: string): Handler => (request) =>
  new Response(`${name} ${request.url.slice(origin.length)} ${context(request).base}`);

// ---------------------------------------------------------------- mount: matching

test("mount: the longest prefix wins, whatever the declaration order", async () => {
  const routes = { "/": echo("root"), "/a": echo("a"), "/a/b": echo("ab"), "/a/b/c": echo("abc") };
  const forward = mount(routes);
  const backward = mount(Object.fromEntries(Object.entries(routes).reverse()));
  for (const app of [forward, backward]) {
    assert.equal(await text(app, "/a/b/c/d"), "abc /d /a/b/c");
    assert.equal(await text(app, "/a/b/x"), "ab /x /a/b");
    assert.equal(await text(app, "/a/x/c"), "a /x/c /a");
    assert.equal(await text(app, "/b/a"), "root /b/a ");
  }
});

test("mount: prefixes match on segment boundaries only", async () => {
  const app = mount({ "/": echo("root"), "/static": echo("static") });
  assert.equal(await text(app, "/static/"), "static / /static");
  assert.equal(await text(app, "/static/a/b.css"), "static /a/b.css /static");
  assert.equal(await text(app, "/staticky"), "root /staticky ");
  assert.equal(await text(app, "/staticky/a"), "root /staticky/a ");
  assert.equal(await text(app, "/static%2Fa"), "root /static%2Fa ", "an encoded slash is not a boundary");
});

test("mount: no matching prefix is a pass (a 404 an outer dispatcher falls through)", async () => {
  const app = mount({ "/a": echo("a") });
  const response = await call(app, "/b");
  assert.equal(response.status, 404);
  assert.ok(isPass(response));
});

test("mount: a bad prefix is a TypeError showing the corrected prefix", () => {
  const cases: [string, string][] = [
    ["static", "/static"],
    ["/static/", "/static"],
    ["static/", "/static"],
    ["/a//b", "/a/b"],
    ["/a/./b/../c", "/a/b/c"],
    ["/a?x=1", "/a"],
    ["", "/"],
  ];
  for (const [bad, corrected] of cases) {
    assert.throws(() => mount({ [bad]: echo("x") }), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.ok(error.message.includes(`write "${corrected}"`), `${bad}: ${error.message}`);
      return true;
    });
  }
  assert.throws(() => mount({ "/%2e%2e": echo("x") }), { name: "TypeError", message: /encoded dot segment/ });
  assert.throws(() => mount({ "/%zz": echo("x") }), { name: "TypeError", message: /malformed/ });
  assert.throws(() => mount({ "/café": echo("x"), "/caf%C3%A9": echo("y") }), {
    name: "TypeError",
    message: /"\/café" and "\/caf%C3%A9" are the same path/,
  });
});

test("mount: bad tables and options are TypeErrors naming what is wrong", () => {
  assert.throws(() => mount([] as never), { name: "TypeError", message: /routes must be an object/ });
  assert.throws(() => mount({ "/a": "nope" as never }), {
    name: "TypeError",
    message: /mount: "\/a" must be a function/,
  });
  assert.throws(() => mount({ "/a": { app: echo("a"), strip: false } as never }), {
    name: "TypeError",
    message: /unknown option "strip"/,
  });
  assert.throws(() => mount({ "/a": { app: echo("a"), trailingSlash: "add" as never } }), {
    name: "TypeError",
    message: /trailingSlash must be "redirect", "accept" or "strict"/,
  });
  assert.throws(() => mount({ "/a": { app: echo("a"), passOn404: "yes" as never } }), {
    name: "TypeError",
    message: /passOn404 must be true or false/,
  });
});

test("mount: a non-ASCII prefix matches the percent-encoded request path", async () => {
  const app = mount({ "/café": echo("cafe") });
  assert.equal(await text(app, "/café/menu"), "cafe /menu /caf%C3%A9");
});

// ---------------------------------------------------------------- mount: SCRIPT_NAME / PATH_INFO

test("mount: the app sees PATH_INFO in request.url, SCRIPT_NAME in base, the full URL in originalUrl", async () => {
  let seen: Record<string, unknown> = {};
  const app = mount({
    "/blog": (request) => {
      const ctx = context(request);
      seen = { url: request.url, base: ctx.base, originalUrl: ctx.originalUrl, route: ctx.route };
      return new Response(`<a href="${ctx.base}/feed">feed</a>`);
    },
  });
  const request = new Request(`${origin}/blog/posts/1?page=2&q=a%20b`);
  const response = await app(request);
  assert.equal(await response.text(), '<a href="/blog/feed">feed</a>');
  assert.deepEqual(seen, {
    url: `${origin}/posts/1?page=2&q=a%20b`,
    base: "/blog",
    originalUrl: `${origin}/blog/posts/1?page=2&q=a%20b`,
    route: "/blog",
  });
  assert.equal(request.url, `${origin}/blog/posts/1?page=2&q=a%20b`, "the URL is restored after the call");
  assert.equal(context(request).base, "", "the base is restored after the call");
  assert.equal(context(request).route, "/blog", "the route that answered stays, for per-route statistics");
});

test("mount: nested mounts accumulate the prefix, and each level gets its own view back", async () => {
  const trace: string[] = [];
  const inner = mount({
    "/v1": async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1)); // the view must survive an await
      trace.push(`inner ${request.url.slice(origin.length)} ${context(request).base} ${context(request).route}`);
      return new Response("ok");
    },
  });
  const app = mount({
    "/api": async (request) => {
      const response = await inner(request);
      trace.push(`outer ${request.url.slice(origin.length)} ${context(request).base}`);
      return response;
    },
  });
  const request = new Request(`${origin}/api/v1/users?x=1`);
  await app(request);
  assert.deepEqual(trace, ["inner /users?x=1 /api/v1 /api/v1", "outer /v1/users?x=1 /api"]);
  assert.equal(request.url, `${origin}/api/v1/users?x=1`);
  assert.equal(context(request).base, "");
});

test("mount: an app mounted at / under a prefix adds nothing to base or route", async () => {
  const app = mount({ "/shop": mount({ "/": echo("home"), "/cart": echo("cart") }) });
  assert.equal(await text(app, "/shop/"), "home / /shop");
  assert.equal(await text(app, "/shop/cart/1"), "cart /1 /shop/cart");
  const request = new Request(`${origin}/shop/x`);
  await app(request);
  assert.equal(context(request).route, "/shop");
});

test("mount: stripPrefix false shows the app the path its mount saw", async () => {
  const app = mount({
    "/api": mount({ "/graphql": { app: echo("gql"), stripPrefix: false } }),
  });
  const request = new Request(`${origin}/api/graphql?query=x`, { method: "POST", body: "{}" });
  assert.equal(await (await app(request)).text(), "gql /graphql?query=x /api");
  assert.equal(context(request).route, "/api/graphql");
});

test("mount: X-Forwarded-Prefix is opt-in, set to the base, never the client's, and taken back after", async () => {
  const seen: (string | null)[] = [];
  const foreign = { fetch: (request: Request) => (seen.push(request.headers.get("x-forwarded-prefix")), pass()) };
  const app = mount({
    "/": { app: foreign, forwardedPrefix: true },
    "/a": { app: foreign, forwardedPrefix: true },
    "/a/b": foreign,
  });
  const request = new Request(`${origin}/a/b/c`, { headers: { "x-forwarded-prefix": "/spoofed" } });
  const headers = request.headers;
  await app(request);
  assert.deepEqual(seen, ["/spoofed", "/a", null]);
  assert.equal(request.headers, headers, "the Request's own headers are back");
  assert.equal(request.headers.get("x-forwarded-prefix"), "/spoofed");
});

// ---------------------------------------------------------------- mount: trailing slash

test("mount: a mount answers its own prefix by default: the app sees /, base is the prefix", async () => {
  const app = mount({ "/": echo("root"), "/health": echo("health"), "/api": mount({ "/docs": echo("docs") }) });
  let response = await call(app, "/health");
  assert.equal(response.status, 200, "no redirect to /health/");
  assert.equal(await response.text(), "health / /health");
  assert.equal(await text(app, "/health?q=1"), "health /?q=1 /health", "the query is kept");
  assert.equal(await text(app, "/health/"), "health / /health", "/health and /health/ reach the same app");
  response = await call(app, "/api/docs?a=1", { method: "POST", body: "x" });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "docs /?a=1 /api/docs", "nested: base accumulates, the method is kept");
  assert.equal(await text(app, "/api"), "root /api ", "a bare inner mount table passes, the shorter prefix answers");
  assert.equal(
    await text(mount({ "/p": { app: echo("p"), stripPrefix: false } }), "/p"),
    "p /p ",
    "a non-stripping mount shows the path unchanged",
  );
});

test('mount: trailingSlash "redirect" answers /p with a 308 to /p/, query kept, nested prefix included', async () => {
  const app = mount({
    "/": echo("root"),
    "/api": mount({ "/docs": { app: echo("docs"), trailingSlash: "redirect" } }),
    "/top": { app: echo("top"), trailingSlash: "redirect" },
  });
  let response = await call(app, "/api/docs?a=1&b=%20", { method: "POST", body: "x" });
  assert.equal(response.status, 308);
  assert.equal(response.headers.get("location"), "/api/docs/?a=1&b=%20");
  response = await call(app, "/top");
  assert.equal(response.status, 308);
  assert.equal(response.headers.get("location"), "/top/");
  assert.equal(await text(app, "/api/docs/"), "docs / /api/docs");
  assert.equal(await text(app, "/top/x"), "top /x /top");
});

test("mount: trailingSlash accept and strict are declared, never silent", async () => {
  const app = mount({
    "/": echo("root"),
    "/accept": { app: echo("accept"), trailingSlash: "accept" },
    "/strict": { app: echo("strict"), trailingSlash: "strict" },
    "/full": { app: echo("full"), stripPrefix: false },
  });
  assert.equal(await text(app, "/accept?q"), "accept /?q /accept");
  assert.equal(await text(app, "/accept/"), "accept / /accept");
  assert.equal(await text(app, "/strict"), "root /strict ", "strict falls through to the shorter prefix");
  assert.equal(await text(app, "/strict/"), "strict / /strict");
  assert.equal(await text(app, "/full"), "full /full ", "a non-stripping mount accepts by default");
});

test("mount: the redirect can never become protocol-relative", async () => {
  const app = mount({ "/p": { app: echo("p"), trailingSlash: "redirect" } });
  const request = new Request(`${origin}/p`);
  bindContext(request, { base: "//evil.com" }); // what a careless foreign middleware might do
  const response = await app(request);
  assert.equal(response.status, 308);
  const location = response.headers.get("location")!;
  assert.ok(location.startsWith("/") && !location.startsWith("//") && !location.startsWith("/\\"), location);
  assert.equal(new URL(location, "http://good.example/").host, "good.example");
});

// ---------------------------------------------------------------- mount: hostile paths

test("mount: hostile paths are matched and shown in canonical form, encoded separators never decoded", async () => {
  const app = mount({ "/": echo("root"), "/static": echo("static") });
  assert.equal(await text(app, "/static/..%2f..%2fetc/passwd"), "static /..%2F..%2Fetc/passwd /static");
  assert.equal(await text(app, "/static/%2e%2e/etc"), "root /etc ", "the URL parser resolved the dot segment");
  assert.equal(await text(app, "//evil.com"), "root /evil.com ");
  assert.equal(await text(app, "/static//evil.com/x"), "static /evil.com/x /static");
  assert.equal(await text(app, "//static/x"), "static /x /static", "empty segments collapse before matching");
  assert.equal(await text(app, "/%73tatic/x"), "static /x /static", "an escaped unreserved character is decoded");
  const request = new Request(`${origin}/static//evil.com`);
  const inner = mount({ "/static": (request) => new Response(new URL(request.url).host) });
  assert.equal(await (await inner(request)).text(), "localhost", "the host stays the host");
  assert.equal(request.url, `${origin}/static//evil.com`, "the received URL is restored after the call");
});

test("mount: a malformed percent-escape is a 400 with a reason", async () => {
  const app = mount({ "/": echo("root") });
  for (const path of ["/%zz", "/a%2", "/a/%", "/%g0/x"]) {
    const response = await call(app, path);
    assert.equal(response.status, 400, path);
    assert.match(await response.text(), /malformed percent-escape/);
  }
  assert.equal((await call(app, "/a?q=%zz")).status, 200, "the query is not the path");
});

test("nosniff on the plain-text pages dispatch and serveStatic draw (pass, 400, 405, 421, static 404/405)", async () => {
  const files = serveStatic(memorySource({ files: { "a.txt": { size: 1, mtimeMs: 0, etag: '"a"', base64: "YQ==" } } }));
  const responses = [
    pass(),
    await call(mount({ "/": echo("root") }), "/%zz"),
    await call(byMethod({ GET: echo("get") }), "/", { method: "DELETE" }),
    await call(hosts({ "example.com": echo("site") }), "/"),
    await call(files, "/missing.txt"),
    await call(files, "/a.txt", { method: "POST" }),
  ];
  assert.deepEqual(responses.map((r) => r.status), [404, 400, 405, 421, 404, 405]);
  for (const response of responses) {
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", String(response.status));
    await response.body?.cancel();
  }
});

// ---------------------------------------------------------------- mount: the Request is untouched

test("mount: method, headers, body, query, signal pass through, the Request is not copied", async () => {
  const controller = new AbortController();
  const request = new Request(`${origin}/api/upload?b=1&b=2&c=%2F`, {
    method: "PUT",
    headers: { "content-type": "text/plain", cookie: "a=1; b=2", "x-custom": "yes" },
    body: "the body",
    signal: controller.signal,
  });
  const headers = request.headers;
  const signal = request.signal;
  let seen: Record<string, unknown> = {};
  const app = mount({
    "/api": async (inner) => {
      seen = {
        same: inner === request,
        method: inner.method,
        headers: inner.headers === headers,
        cookie: inner.headers.get("cookie"),
        custom: inner.headers.get("x-custom"),
        search: new URL(inner.url).search,
        signal: inner.signal === signal,
        body: await inner.text(),
      };
      return new Response("ok");
    },
  });
  await app(request);
  assert.deepEqual(seen, {
    same: true,
    method: "PUT",
    headers: true,
    cookie: "a=1; b=2",
    custom: "yes",
    search: "?b=1&b=2&c=%2F",
    signal: true,
    body: "the body",
  });
});

test("mount: the response comes back as the app made it, every Set-Cookie kept", async () => {
  const made = new Response("hi", { headers: [["set-cookie", "a=1; Path=/"], ["set-cookie", "b=2; Path=/"]] });
  const app = mount({ "/a": () => made });
  const response = await call(app, "/a/");
  assert.equal(response, made);
  assert.deepEqual(response.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
});

// ---------------------------------------------------------------- mount: declining

test("mount: a pass falls through to the next-shorter prefix, with base and route restored", async () => {
  const seen: string[] = [];
  const decline = (name: string): Handler => (request) => {
    seen.push(`${name} ${request.url.slice(origin.length)} ${context(request).base} ${context(request).route}`);
    return pass();
  };
  const app = mount({ "/": echo("root"), "/a": decline("a"), "/a/b/c": decline("abc") });
  const request = new Request(`${origin}/a/b/c/d`);
  assert.equal(await (await app(request)).text(), "root /a/b/c/d ");
  assert.deepEqual(seen, ["abc /d /a/b/c /a/b/c", "a /b/c/d /a /a"]);
  assert.equal(context(request).route, "/");
  assert.equal(request.url, `${origin}/a/b/c/d`);

  const all = mount({ "/a": decline("a") });
  const response = await call(all, "/a/x");
  assert.ok(isPass(response), "when every candidate declines, the mount itself passes");
});

test("mount: passOn404 lets a foreign app's 404 fall through; without it a 404 is an answer", async () => {
  const foreign = { fetch: () => new Response("foreign 404", { status: 404 }) };
  const lenient = mount({ "/": echo("root"), "/f": { app: foreign, passOn404: true } });
  assert.equal(await text(lenient, "/f/x"), "root /f/x ");
  const strict = mount({ "/": echo("root"), "/f": foreign });
  const response = await call(strict, "/f/x");
  assert.equal(response.status, 404);
  assert.equal(await response.text(), "foreign 404");
});

test("mount: the declined app's streamed body is cancelled", async () => {
  let cancelled = false;
  const body = new ReadableStream({ cancel: () => void (cancelled = true) });
  const app = mount({ "/": echo("root"), "/f": { app: () => new Response(body, { status: 404 }), passOn404: true } });
  assert.equal(await text(app, "/f/"), "root /f/ ");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(cancelled);
});

test("mount: an error in the app propagates and the Request's view is restored", async () => {
  const app = mount({ "/a": () => Promise.reject(new Error("boom")) });
  const request = new Request(`${origin}/a/x`);
  await assert.rejects(async () => await app(request), /boom/);
  assert.equal(request.url, `${origin}/a/x`);
  assert.equal(context(request).base, "");
});

// ---------------------------------------------------------------- mount: foreign apps

test("mount: an object with fetch mounts as-is and receives the runtime's extra arguments", async () => {
  const seen: unknown[] = [];
  const worker = {
    fetch(this: unknown, request: Request, env: unknown, ctx: unknown) {
      seen.push(this === worker, new URL(request.url).pathname, env, ctx);
      return new Response("ok");
    },
  };
  const app = mount({ "/worker": worker });
  const request = new Request(`${origin}/worker/x`);
  const env = { KV: "binding" };
  const ctx = { waitUntil() {} };
  bindContext(request, { runtimeArgs: [env, ctx], env });
  await app(request);
  assert.deepEqual(seen, [true, "/x", env, ctx]);
});

test("mount: a Hono app under /api sees /users and can read /api", async () => {
  const api = new Hono();
  api.get("/users", (c) => c.json({ path: c.req.path, url: c.req.url, base: context(c.req.raw).base }));
  api.get("/users/:id", (c) => c.json({ id: c.req.param("id"), link: `${context(c.req.raw).base}/users` }));
  api.post("/users", async (c) => c.json({ created: await c.req.json() }, 201));
  const app = mount({ "/": echo("root"), "/api": api });
  assert.deepEqual(await (await call(app, "/api/users")).json(), {
    path: "/users",
    url: `${origin}/users`,
    base: "/api",
  });
  assert.deepEqual(await (await call(app, "/api/users/7")).json(), { id: "7", link: "/api/users" });
  const created = await call(app, "/api/users", { method: "POST", body: '{"name":"a"}' });
  assert.equal(created.status, 201);
  assert.deepEqual(await created.json(), { created: { name: "a" } });
  assert.equal((await call(app, "/api/nothing")).status, 404, "Hono's own 404 is an answer");
  const lenient = mount({ "/": echo("root"), "/api": { app: api, passOn404: true } });
  assert.equal(await text(lenient, "/api/nothing"), "root /api/nothing ");
});

// ---------------------------------------------------------------- hosts

/** What `app` answers to `path` on `host`, which is put in the URL (hosts() reads it there, as the servers write it). */
const onHost = async (app: Handler, host: string, path = "/") =>
  await (await app(new Request(`http://${host}${path}`))).text();
/** A site answering with its name, the path it sees and its base. */
const site = (name: string): Handler => (request) =>
  new Response(`${name} ${new URL(request.url).pathname} ${context(request).base}`);

test("hosts: exact names, case- and port-insensitive, trailing dot ignored", async () => {
  const app = hosts({ "example.com": site("main"), "Other.Example.org": site("other") });
  const on = (host: string) => onHost(app, host);
  assert.equal(await on("example.com"), "main / ");
  assert.equal(await on("EXAMPLE.com:8080"), "main / ");
  assert.equal(await on("example.com."), "main / ");
  assert.equal(await on("other.example.org"), "other / ");
});

test("hosts: wildcards match subdomains at any depth, most specific first, never the apex", async () => {
  const app = hosts({
    "*.example.com": site("tenant"),
    "*.eu.example.com": site("eu"),
    "www.example.com": site("www"),
    "*": site("default"),
  });
  const on = (host: string) => onHost(app, host);
  assert.equal(await on("shop.example.com"), "tenant / ");
  assert.equal(await on("a.b.example.com"), "tenant / ");
  assert.equal(await on("shop.eu.example.com"), "eu / ");
  assert.equal(await on("www.example.com"), "www / ");
  assert.equal(await on("example.com"), "default / ");
  assert.equal(await on(".example.com"), "default / ");
});

test("hosts: a key with a port matches only that port (no port means the scheme's default)", async () => {
  const app = hosts({ "example.com:8080": site("8080"), "example.com:80": site("80"), "example.com": site("any") });
  const on = (host: string) => onHost(app, host);
  assert.equal(await on("example.com:8080"), "8080 / ");
  assert.equal(await on("example.com"), "80 / ");
  assert.equal(await on("example.com:9000"), "any / ");
  const ipv6 = hosts({ "[::1]:8080": site("v6") });
  assert.equal(await onHost(ipv6, "[::1]:8080"), "v6 / ");
});

test("hosts: an unknown host without a default is 421; the URL's host counts, not a Host header", async () => {
  const app = hosts({ "example.com": site("main") });
  const response = await app(new Request("http://unknown.test/"));
  assert.equal(response.status, 421);
  assert.match(await response.text(), /Misdirected Request/);
  const direct = await hosts({ "example.com": () => new Response("main") })(new Request("http://EXAMPLE.com:81/x"));
  assert.equal(await direct.text(), "main");
});

test("hosts: the host is the URL's, read as the URL parser reads it, whatever the Host header says", async () => {
  const app = hosts({
    "admin.example.com:8443": site("admin"),
    "example.com": site("main"),
    "*.example.com": site("tenant"),
    "evil.com": site("evil"),
    "*": site("other"),
  });
  // A server builds the URL from a valid Host (or an absolute-form target); a Host header that says otherwise is not read.
  const sent = async (url: string, host: string) => await (await app(new Request(url, { headers: { host } }))).text();
  assert.equal(await sent("http://admin.example.com:8443/", "admin.example.com:08443"), "admin / ");
  assert.equal(await onHost(app, "admin.example.com:08443"), "admin / ", "08443 is 8443");
  assert.equal(await onHost(app, "admin.example.com:00443"), "tenant / ", "443 is not 8443");
  assert.equal(await sent("http://evil.com/", "evil.com#.example.com"), "evil / ");
  assert.equal(await onHost(app, "evil.com#.example.com"), "evil / ", "# starts the fragment");
  assert.equal(await sent("http://evil.com/", "evil.com\\.example.com"), "evil / ");
  assert.equal(await onHost(app, "evil.com\\.example.com"), "evil /.example.com/ ", "\\ is a / in an http URL");
  assert.equal(await sent("http://evil.com/", "example.com:80@evil.com"), "evil / ");
  assert.equal(await sent("http://example.com/", "exa%6dple.com"), "main / ");
  assert.equal(await onHost(app, "exa%6dple.com"), "main / ", "%6d is m");
  assert.equal(await sent("http://other.example/x", "admin.example.com:8443"), "other /x ", "absolute-form");
});

test("hosts: keys are read like request hosts (ports as numbers, IPv4 forms, punycode)", async () => {
  const app = hosts({
    "Admin.example.com:08443": site("admin"),
    "127.1": site("loopback"),
    "bücher.example": site("idn"),
  });
  assert.equal(await onHost(app, "admin.example.com:8443"), "admin / ");
  assert.equal(await onHost(app, "127.0.0.1"), "loopback / ");
  assert.equal(await onHost(app, "0x7f.0.0.1:81"), "loopback / ");
  assert.equal(await onHost(app, "xn--bcher-kva.example"), "idn / ");
  assert.throws(() => hosts({ "a.example:8443": echo("x"), "a.example:08443": echo("y") }), { message: /same host/ });
  for (const key of ["1.2.3.256", "xn--zz.com", "[:::]", "example.com:", "ex!ample.com", "a,b"]) {
    assert.throws(() => hosts({ [key]: echo("x") }), { name: "TypeError", message: /not a host name/ }, key);
  }
});

test("readHost: whatever it accepts, the URL parser reads as the same name and port, with the path left alone", () => {
  const piece = fc.constantFrom(
    ..."aZ09.-_~:[]%@#/\\ ,!".split(""),
    "xn--",
    "xn--nxasmq6b",
    "xn--zz",
    "0x",
    "256",
    "::",
    "ffff",
    "1.2.3.4",
    "127.1",
    ":080",
    ":65536",
    "example.com",
  );
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join("")), (host) => {
      const read = readHost(host);
      if (read === undefined) return;
      const url = new URL(`http://${host}/x`); // throws if readHost accepted what the parser refuses
      assert.equal(url.hostname, read.name, host);
      assert.equal(Number(url.port || 80), Number(read.port || 80), host);
      assert.equal(url.pathname, "/x", host);
      assert.equal(url.username + url.password, "", host);
    }),
    { numRuns: 3000 },
  );
});

test("hosts: bad keys are TypeErrors, with a hint when the key is a URL", () => {
  assert.throws(() => hosts({ "http://example.com/": echo("x") }), {
    name: "TypeError",
    message: /not a host name; write "example.com"/,
  });
  assert.throws(() => hosts({ "example.com/path": echo("x") }), { name: "TypeError", message: /not a host name/ });
  assert.throws(() => hosts({ "a.*.com": echo("x") }), { name: "TypeError", message: /not a host name/ });
  assert.throws(() => hosts({ "example.com:99999": echo("x") }), { name: "TypeError", message: /not a host name/ });
  assert.throws(() => hosts({ "Example.com": echo("x"), "example.com": echo("y") }), {
    name: "TypeError",
    message: /same host/,
  });
});

test("hosts: a host table inside, mounts inside hosts", async () => {
  const app = hosts({ "example.com": mount({ "/docs": site("docs") }), "*": site("default") });
  assert.equal(await onHost(app, "example.com", "/docs/a"), "docs /a /docs");
});

// ---------------------------------------------------------------- match, cascade, byMethod

test("match: a RegExp on the raw path, groups as params (Apache's LocationMatch)", async () => {
  const image: Handler = (request) => {
    const { params, route } = context(request);
    return new Response(`${params[1]} ${params.name ?? "-"} ${route}`);
  };
  const app = cascade(match(/\.(jpg|gif|png)$/, image), match(/^\/(?<name>[^/]+)\.(css)$/, image), echo("page"));
  assert.equal(await text(app, "/a/b.png"), "png - ~ \\.(jpg|gif|png)$");
  assert.equal(await text(app, "/site.css"), "site site ~ ^\\/(?<name>[^/]+)\\.(css)$");
  assert.equal(await text(app, "/a/b.png?x=1"), "png - ~ \\.(jpg|gif|png)$");
  assert.equal(await text(app, "/a?file=b.png"), "page /a?file=b.png ", "the query is not the path");
  const raw = match(/^\/(.+)$/, (request) => new Response(context(request).params[1]));
  assert.equal(await text(raw, "/a%20b%2F"), "a%20b%2F", "params are raw");
});

test("match: a global RegExp does not carry lastIndex between requests", async () => {
  const app = match(/\.png$/g, () => new Response("png"));
  for (let i = 0; i < 3; i++) assert.equal(await text(app, "/a.png"), "png");
});

test("match: URLPattern and path strings capture named groups", async () => {
  const user = (request: Request) => Response.json({ ...context(request).params, route: context(request).route });
  const app = cascade(match("/users/:id", user), match(new URLPattern({ hostname: ":sub.example.com" }), user));
  assert.deepEqual(await (await call(app, "/users/42?tab=1")).json(), { id: "42", route: "/users/:id" });
  const tenant = await app(new Request("http://shop.example.com/x"));
  assert.deepEqual(await tenant.json(), { sub: "shop", route: "hostname=:sub.example.com" });
  assert.ok(isPass(await call(app, "/nothing")));
});

test("match: inside a mount the pattern sees PATH_INFO, and route and params accumulate", async () => {
  const app = mount({
    "/img": cascade(match(/\.(png)$/i, (request) => Response.json(view(request))), echo("other")),
  });
  const request = new Request(`${origin}/img/a.PNG`);
  bindContext(request, { params: { tenant: "t1" } });
  const seen = await (await app(request)).json();
  assert.deepEqual(seen.params, { tenant: "t1", 1: "PNG" });
  assert.equal(seen.route, "/img ~* \\.(png)$");
  assert.equal(seen.base, "/img");
});

test("match: a declining handler restores params and route", async () => {
  const app = cascade(match("/users/:id", () => pass()), (request) => Response.json(view(request)));
  const seen = await (await call(app, "/users/1")).json();
  assert.deepEqual(seen.params, {});
  assert.equal(seen.route, "");
});

test("match: predicates, and bad patterns are TypeErrors", async () => {
  const app = cascade(match((request) => request.headers.has("x-beta"), echo("beta")), echo("stable"));
  assert.equal(await text(app, "/", { headers: { "x-beta": "1" } }), "beta / ");
  assert.equal(await text(app, "/"), "stable / ");
  assert.throws(() => match(42 as never, echo("x")), { name: "TypeError", message: /pattern must be/ });
  assert.throws(() => match("users/:id", echo("x")), { name: "TypeError", message: /must start with "\/"/ });
});

test("cascade: first non-pass wins, all passing is a pass", async () => {
  const calls: string[] = [];
  const step = (name: string, answer: boolean): Handler => () => {
    calls.push(name);
    return answer ? new Response(name) : pass();
  };
  assert.equal(await text(cascade(step("a", false), step("b", true), step("c", true)), "/"), "b");
  assert.deepEqual(calls, ["a", "b"]);
  assert.ok(isPass(await call(cascade(step("x", false)), "/")));
});

test("byMethod: POSTs to the primary, the rest to the replicas", async () => {
  const app = byMethod({ POST: echo("primary"), "*": echo("replica") });
  assert.equal(await text(app, "/q", { method: "POST", body: "x" }), "primary /q ");
  assert.equal(await text(app, "/q"), "replica /q ");
  assert.equal(await text(app, "/q", { method: "DELETE" }), "replica /q ");
});

test("byMethod: HEAD goes to GET, other methods get 405 with Allow", async () => {
  const app = byMethod({ GET: echo("get"), PUT: echo("put") });
  assert.equal((await call(app, "/", { method: "HEAD" })).status, 200);
  const response = await call(app, "/", { method: "POST" });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "GET, PUT, HEAD, OPTIONS");
  assert.throws(() => byMethod({ post: echo("x") }), { name: "TypeError", message: /write "POST"/ });
  assert.throws(() => byMethod({ "GET /": echo("x") }), { name: "TypeError", message: /not an HTTP method/ });
});

// ---------------------------------------------------------------- mount: against a reference

test("mount: any table, any path: the longest segment prefix answers, and base + PATH_INFO is the path", async () => {
  const segment = fc.constantFrom("a", "b", "ab", "%2F", "a.b", "");
  const prefix = fc.array(segment.filter((s) => s !== ""), { minLength: 1, maxLength: 3 }).map((s) =>
    `/${s.join("/")}`
  );
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(prefix, { maxLength: 6 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join("/")}`),
      async (prefixes, withRoot, wide, rawInput) => {
        const path = rawInput.replace(/\/{2,}/g, "/");
        const table: Record<string, Handler> = {};
        // `wide` adds unrelated prefixes, so the root's children are found through the hash table.
        const fillers = wide ? Array.from({ length: 20 }, (_, i) => `/filler${i}`) : [];
        for (const declared of withRoot ? [...prefixes, ...fillers, "/"] : [...prefixes, ...fillers]) {
          table[declared] = (request) =>
            Response.json({ declared, path: rawPathOf(request.url), base: context(request).base });
        }
        const response = await call(mount(table), `${rawInput}?q=1`);
        // The reference: a plain scan over the declared prefixes, on the path without empty segments.
        const candidates = Object.keys(table).filter((p) => p === "/" || path === p || path.startsWith(`${p}/`));
        const expected = candidates.sort((x, y) => y.length - x.length)[0];
        if (expected === undefined) return assert.ok(isPass(response));
        const seen = await response.json();
        assert.equal(seen.declared, expected);
        if (expected !== "/" && path === expected) {
          // The bare prefix: the app sees "/" (the one declared collapse), base is the prefix.
          assert.equal(seen.path, "/");
          return assert.equal(seen.base, path);
        }
        assert.equal(seen.base + seen.path, path, "base + PATH_INFO is the original path");
        assert.ok(seen.path.startsWith("/"));
      },
    ),
    { numRuns: 300 },
  );
});

test("mount: a middleware inside a mount derives a Request with request.url and copyContext", async () => {
  const addHeader = (next: Handler): Handler => (request) =>
    next(copyContext(request, new Request(request.url, { headers: { "x-added": "1" } })));
  const app = mount({
    "/api": addHeader((request) =>
      new Response(`${request.url.slice(origin.length)} ${context(request).base} ${request.headers.get("x-added")}`)
    ),
  });
  assert.equal(await text(app, "/api/users?x=1"), "/users?x=1 /api 1");
});

test("mount and match: a Request dispatched twice gets the same route and params (a retry, a reused Request)", async () => {
  const app = mount({ "/api": mount({ "/v1": match("/users/:id", (request) => Response.json(view(request))) }) });
  const request = new Request(`${origin}/api/v1/users/7`);
  const first = await (await app(request)).json();
  const second = await (await app(request)).json();
  assert.deepEqual(first, { params: { id: "7" }, route: "/api/v1/users/:id", base: "/api/v1" });
  assert.deepEqual(second, first);
  assert.equal(context(request).route, "/api/v1/users/:id", "after the answer, the route names what answered");
});

test("mount: a mount nested in an async app, called after an await, still builds on the outer prefix", async () => {
  const inner = mount({ "/v1": (request) => Response.json(view(request)) });
  const app = mount({
    "/api": async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return inner(request);
    },
  });
  assert.deepEqual(await (await call(app, "/api/v1/x")).json(), { params: {}, route: "/api/v1", base: "/api/v1" });
});

test("mount: a wide table (hashed children) finds every prefix and nothing else", async () => {
  const table: Record<string, Handler> = {};
  for (let i = 0; i < 2000; i++) table[`/s${i}`] = echo(`s${i}`);
  for (let i = 0; i < 2000; i += 7) table[`/s${i}/t${i % 13}`] = echo(`s${i}t`);
  table["/"] = echo("root");
  const app = mount(table);
  for (let i = 0; i < 2000; i += 3) {
    assert.equal(await text(app, `/s${i}/x`), `s${i} /x /s${i}`);
    const nested = i % 7 === 0 ? `s${i}t /y /s${i}/t${i % 13}` : `s${i} /t${i % 13}/y /s${i}`;
    assert.equal(await text(app, `/s${i}/t${i % 13}/y`), nested);
  }
  for (const miss of ["/s2000/x", "/s-1/x", "/s/x", "/S1/x", "/s1x/x", "/s01/x"]) {
    assert.equal(await text(app, miss), `root ${miss} `);
  }
});

test("mount: a raw target (as Deno's server hands it over) is dispatched as the URL parser reads it", async () => {
  const app = mount({ "/": echo("root"), "/static": echo("static") });
  /** A Request whose url is the raw target, as on Deno; the constructor alone would have parsed it. */
  const raw = (path: string) => {
    const request = new Request(origin + "/");
    Object.defineProperty(request, "url", { value: origin + path, configurable: true, writable: true });
    return request;
  };
  const cases: [string, string | number][] = [
    ["/static/../admin", "root /admin "],
    ["/static/%2e%2e/admin?x=1", "root /admin?x=1 "],
    ["/static/.%2E/admin", "root /admin "],
    ["/static/./a/../b", "static /b /static"],
    ["/static/a\\..\\b", "static /b /static"],
    ["/static/.well-known/x", "static /.well-known/x /static"],
    ["/static/a{b}", "static /a%7Bb%7D /static"],
    ["/static/../%zz", 400],
  ];
  for (const [path, expected] of cases) {
    const request = raw(path);
    const response = await app(request);
    if (typeof expected === "number") assert.equal(response.status, expected, path);
    else assert.equal(await response.text(), expected, path);
    assert.equal(request.url, origin + path, "the raw URL is back afterwards");
  }
});
