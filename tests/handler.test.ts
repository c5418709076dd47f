// @workerd
import assert from "node:assert/strict";
import { env, runtime, test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { compose, type Middleware, toHandler } from "../src/handler.ts";
import { bindContext, context, copyContext } from "../src/context.ts";

const tag = (name: string): Middleware => (next) => async (request) => {
  const response = await next(request);
  response.headers.append("x-trace", name);
  return response;
};

test("harness: FETCHKIT_FAIL_ON fails exactly the named runtime", () => {
  // Proves the matrix is real: `FETCHKIT_FAIL_ON=bun npm test` must fail and name bun.
  assert.notEqual(env("FETCHKIT_FAIL_ON"), runtime, `deliberate failure on ${runtime}`);
});

test("compose: the first middleware is the outermost", async () => {
  const app = compose(tag("outer"), tag("middle"), tag("inner"))(() => new Response("ok"));
  const response = await app(new Request("http://localhost/"));
  assert.equal(response.headers.get("x-trace"), "inner, middle, outer");
  assert.equal(await response.text(), "ok");
});

test("compose: no middleware is the identity", () => {
  const handler = () => new Response("same");
  assert.equal(compose()(handler), handler);
});

test("compose: a non-function is a TypeError naming its position", () => {
  assert.throws(() => compose(tag("a"), "b" as unknown as Middleware), {
    name: "TypeError",
    message: /middleware\[1\] must be a function/,
  });
});

test("toHandler: an app with fetch receives the runtime's extra arguments", async () => {
  const seen: unknown[] = [];
  const app = {
    fetch(request: Request, ...rest: unknown[]) {
      seen.push(this === app, ...rest);
      return new Response(new URL(request.url).pathname);
    },
  };
  const request = new Request("http://localhost/x");
  bindContext(request, { runtimeArgs: ["ENV", "CTX"] });
  const response = await toHandler(app)(request);
  assert.equal(await response.text(), "/x");
  assert.deepEqual(seen, [true, "ENV", "CTX"]);
});

test("toHandler: anything else is a TypeError naming what was found", () => {
  assert.throws(() => toHandler({ handle() {} } as never), {
    name: "TypeError",
    message: /handler must be a function .* got object with keys \[handle\]/,
  });
});

test("context: a Request from nowhere gets the top-level defaults", () => {
  const request = new Request("http://localhost/a?b=1");
  const ctx = context(request);
  assert.equal(ctx.base, "");
  assert.equal(ctx.originalUrl, "http://localhost/a?b=1");
  assert.deepEqual(ctx.params, {});
  assert.equal(ctx.remoteAddr, undefined);
  assert.equal(context(request), ctx, "the same object on every call");
});

test("context: copyContext carries the context to a derived Request", () => {
  const original = new Request("http://localhost/");
  bindContext(original, { remoteAddr: { hostname: "10.0.0.1", port: 1 }, params: { id: "7" } });
  const derived = copyContext(original, new Request(original, { headers: { "x-a": "1" } }));
  assert.equal(context(derived).remoteAddr?.hostname, "10.0.0.1");
  assert.equal(context(derived).params.id, "7");
  context(derived).params.id = "8";
  assert.equal(context(original).params.id, "7", "params are not shared");
});

test("serve: a composed handler answers real HTTP with the client's address in context", async () => {
  const app = compose(tag("mw"))((request) => {
    const { remoteAddr } = context(request);
    return new Response(`${request.method} ${new URL(request.url).pathname} from ${remoteAddr?.hostname}`);
  });
  await withServer(app, async (url, server) => {
    const response = await fetch(new URL("/hello?x=1", url));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-trace"), "mw");
    assert.match(await response.text(), /^GET \/hello from (127\.0\.0\.1|::ffff:127\.0\.0\.1)$/);
    assert.equal(server.runtime, runtime);
  });
}, { skip: ["workerd"] });

test("serve: request bodies stream to the handler and back", async () => {
  await withServer((request) => new Response(request.body), async (url) => {
    const payload = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const response = await fetch(url, { method: "POST", body: payload });
    const echoed = new Uint8Array(await response.arrayBuffer());
    assert.equal(echoed.length, payload.length);
    assert.deepEqual(echoed.subarray(-16), payload.subarray(-16));
  });
}, { skip: ["workerd"] });

test("serve: multiple Set-Cookie headers stay separate", async () => {
  const app = () => {
    const headers = new Headers();
    headers.append("set-cookie", "a=1; Path=/");
    headers.append("set-cookie", "b=2; Path=/");
    return new Response("ok", { headers });
  };
  await withServer(app, async (url) => {
    const response = await fetch(url);
    assert.deepEqual(response.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
    await response.body?.cancel();
  });
}, { skip: ["workerd"] });

test("serve: a bad port is a TypeError naming the option", async () => {
  const { serve } = await import("../src/serve/serve.ts");
  await assert.rejects(serve(() => new Response(), { port: 70000 }), {
    name: "TypeError",
    message: /port must be an integer from 0 to 65535, got number 70000/,
  });
}, { skip: ["workerd"] });
