/**
 * What the middleware must never hand out: files named in an error message or
 * outside the app's own directory (debug page), spoofed client addresses
 * (proxy). The portable parts (log escaping, redaction, masking, nosniff) are
 * in middleware.test.ts, which also runs on workerd.
 */
import assert from "node:assert/strict";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { makeFixture } from "./_lib/static_fixture.ts";
import type { Handler } from "../src/handler.ts";
import { errors } from "../src/middleware/errors.ts";
import { proxy } from "../src/middleware/proxy.ts";
import { logger } from "../src/middleware/logger.ts";
import { rawRequest } from "./_lib/static_http.ts";
import { readSourceUnder } from "../src/middleware/adapters/files.ts";

const ROOT_MODULE = `// the own module of the app, under the source root
export function fail(message) {
  throw new Error(message); // ROOT-MARKER
}
`;
const OUTSIDE_MODULE = `// a module outside the source root
export function failOutside(message) {
  throw new Error(message); // OUTSIDE-MARKER
}
`;
const DEPENDENCY_MODULE = `export function failDependency(message) {
  throw new Error(message); // DEPENDENCY-MARKER
}
`;

const fileUrl = (path: string) => new URL(`file://${path}`).href;

/** The text of every source line the debug page shows. */
function shownSourceLines(page: string): string[] {
  return [...page.matchAll(/<span class="line[^"]*" data-line="\d+"><span class="number">\d+<\/span> (.*?)<\/span>/g)]
    .map((match) => match[1]);
}

async function debugPage(handler: Handler, sourceRoot: string): Promise<string> {
  const app = errors({ mode: "development", sourceRoot, log: () => {} })(handler);
  const response = await app(new Request("http://localhost/", { headers: { accept: "text/html" } }));
  assert.equal(response.status, 500);
  return await response.text();
}

test("errors: frames named in the message are never read; only files under sourceRoot show source", async () => {
  const fixture = makeFixture();
  try {
    const canary = `${fixture.outside}/canary.txt`;
    const { writeFileSync, mkdirSync } = await import("node:fs");
    writeFileSync(canary, "CANARY LINE ONE\nCANARY LINE TWO\n");
    writeFileSync(`${fixture.outside}/lib.mjs`, OUTSIDE_MODULE);
    fixture.write("app.mjs", ROOT_MODULE);
    mkdirSync(`${fixture.root}/node_modules/dep`, { recursive: true });
    writeFileSync(`${fixture.root}/node_modules/dep/index.mjs`, DEPENDENCY_MODULE);
    const { fail } = await import(fileUrl(`${fixture.root}/app.mjs`));
    const { failOutside } = await import(fileUrl(`${fixture.outside}/lib.mjs`));
    const { failDependency } = await import(fileUrl(`${fixture.root}/node_modules/dep/index.mjs`));
    const rootLines = ROOT_MODULE.split("\n");
    // A message a client chose (an echoed parameter), with lines shaped like frames.
    // Lines naming files outside the root, and one inside it that no frame of the stack names.
    const config = fixture.write("config.txt", "ROOT CONFIG, NOT A FRAME\n");
    const hostile =
      `no such user\n    at /etc/hostname:1:1\n    at ${canary}:1:1\n    at file://${canary}:2:1\n    at ${config}:1:1`;

    const page = await debugPage(() => fail(hostile), fixture.root);
    const shown = shownSourceLines(page);
    assert.ok(shown.some((line) => line.includes("ROOT-MARKER")), "the real frame under the root shows its source");
    for (const line of shown) assert.ok(rootLines.includes(line), `only the root module's lines, got ${line}`);
    assert.doesNotMatch(page, /CANARY LINE|ROOT CONFIG/);
    assert.doesNotMatch(page, /<code>at \/etc\/hostname:1:1<\/code>/, "message lines are not listed as frames");
    assert.match(page, /no such user/, "the message itself is still shown");

    // Real frames, but in files outside the root or in its node_modules: listed, never read.
    const outside = await debugPage(() => failOutside("outside"), fixture.root);
    assert.match(outside, /lib\.mjs/);
    assert.doesNotMatch(outside, /OUTSIDE-MARKER/);
    assert.match(outside, /Source is unavailable for some frames \(outside the source root/);
    const dependency = await debugPage(() => failDependency("dependency"), fixture.root);
    assert.doesNotMatch(dependency, /DEPENDENCY-MARKER/);

    // A stack the app replaced does not start with its message: its frames cannot be told apart, none is read.
    const replaced = await debugPage(() => {
      const error = new Error("replaced");
      error.stack = `Error: something else\n    at ${fixture.root}/app.mjs:3:9`;
      throw error;
    }, fixture.root);
    assert.doesNotMatch(replaced, /ROOT-MARKER/);
    assert.match(replaced, /Source is not shown/);
  } finally {
    fixture.remove();
  }
});

test("errors: the source reader follows symbolic links and refuses what leaves the root", async () => {
  const fixture = makeFixture();
  try {
    const { writeFileSync, mkdirSync } = await import("node:fs");
    const inside = fixture.write("app.mjs", ROOT_MODULE);
    writeFileSync(`${fixture.outside}/lib.mjs`, OUTSIDE_MODULE);
    fixture.link("linked.mjs", `${fixture.outside}/lib.mjs`);
    fixture.link("linked-dir", fixture.outside);
    mkdirSync(`${fixture.root}/node_modules/dep`, { recursive: true });
    writeFileSync(`${fixture.root}/node_modules/dep/index.mjs`, DEPENDENCY_MODULE);
    assert.equal(await readSourceUnder(inside, fixture.root), ROOT_MODULE);
    assert.equal(await readSourceUnder(fileUrl(inside), fixture.root), ROOT_MODULE, "file: URLs too");
    for (
      const path of [
        `${fixture.root}/linked.mjs`,
        `${fixture.root}/linked-dir/secret.txt`,
        `${fixture.root}/../outside/secret.txt`,
        `${fixture.root}/node_modules/dep/index.mjs`,
        `${fixture.outside}/secret.txt`,
        "/etc/hostname",
        fixture.root,
      ]
    ) {
      assert.equal(await readSourceUnder(path, fixture.root), undefined, path);
    }
  } finally {
    fixture.remove();
  }
});

test("errors: a bad sourceRoot is a TypeError naming it", () => {
  for (const bad of [42, "", new URL("http://example.com/"), "http://example.com/", null]) {
    assert.throws(() => errors({ sourceRoot: bad as never }), { name: "TypeError", message: /errors: sourceRoot/ });
  }
  errors({ sourceRoot: new URL("file:///srv/app/") });
  errors({ sourceRoot: "src" });
});

/** An upstream that answers with the request headers it received. */
const echoHeaders: Handler = (request) => Response.json(Object.fromEntries(request.headers));

const SPOOFED = {
  "x-real-ip": "6.6.6.6",
  "x-client-ip": "6.6.6.7",
  "true-client-ip": "6.6.6.8",
  "cf-connecting-ip": "6.6.6.9",
  "fastly-client-ip": "6.6.6.10",
  "x-cluster-client-ip": "6.6.6.11",
};

test("proxy: a client's X-Real-IP and similar address headers reach the upstream only when trusted", async () => {
  await withServer(echoHeaders, async (upstream) => {
    await withServer(proxy(upstream), async (front) => {
      const seen = await (await fetch(front, { headers: SPOOFED })).json();
      for (const name of Object.keys(SPOOFED)) assert.equal(seen[name], undefined, `${name} dropped`);
      assert.match(seen["x-forwarded-for"], /^(::ffff:)?127\.0\.0\.1$/);
    });
    await withServer(proxy(upstream, { trustForwarded: (remote) => remote !== undefined }), async (front) => {
      const seen = await (await fetch(front, { headers: SPOOFED })).json();
      for (const [name, value] of Object.entries(SPOOFED)) assert.equal(seen[name], value, `${name} kept`);
    });
  });
});

test("proxy: its own 502 is plain text with nosniff", async () => {
  const port = await withServer(() => new Response(), (url) => Promise.resolve(url.port));
  const response = await proxy(`http://127.0.0.1:${port}`)(new Request("http://localhost/"));
  assert.equal(response.status, 502);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  await response.body?.cancel();
});

test("logger: through a real server, C1 bytes of the User-Agent are escaped and ?token= is redacted", async () => {
  for (const format of ["combined", "json"] as const) {
    const lines: string[] = [];
    const app = logger({ format, write: (line) => lines.push(line) })(() => new Response("ok"));
    await withServer(app, async (url) => {
      // Sent as UTF-8 (C2 85, C2 9B), read by the server as Latin-1: U+0085 and U+009B reach the logger.
      const response = await rawRequest(url, "/cb?token=s3cr3t-v4lue&x=1", { "user-agent": "a\u0085b\u009b2J" });
      assert.equal(response.status, 200);
    });
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0], /[\u0080-\u009f]/, lines[0]);
    assert.match(lines[0], format === "json" ? /a\u00c2\\u0085b\u00c2\\u009b2J/ : /a\u00c2\\x85b\u00c2\\x9b2J/);
    assert.ok(!lines[0].includes("s3cr3t"), lines[0]);
    assert.ok(lines[0].includes("/cb?token=REDACTED&x=1"), lines[0]);
  }
});
