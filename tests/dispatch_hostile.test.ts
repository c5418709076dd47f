/**
 * A guard mounted in front of static files, attacked through every way of
 * spelling a path two parts could read differently: empty and dot segments,
 * backslashes, escaped unreserved characters, hex case, NFC/NFD, absolute-form
 * targets, and the published cases of the peers' advisories (Hono, h3, sirv,
 * Vite). Dispatch and files read one canonical path, so a file under
 * `admin/` is served only when dispatch routed the request to `/admin`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { test } from "./_lib/test.ts";
import { withServer } from "./_lib/server.ts";
import { rawRequest } from "./_lib/static_http.ts";
import { makeFixture } from "./_lib/static_fixture.ts";
import { context } from "../src/context.ts";
import type { Handler } from "../src/handler.ts";
import { cascade, match, mount } from "../src/dispatch/mod.ts";
import { serveStatic } from "../src/static/mod.ts";
import { canonicalPath } from "../src/internal/canonical_path.ts";

const fx = makeFixture();
fx.write("index.html", "<p>home</p>\n");
fx.write("admin/secret.txt", "ADMIN SECRET\n");
fx.write("café/secret.txt", "CAFE SECRET\n");
fx.write("admin-public/ok.txt", "public ok\n");
fx.write("src/safe.txt", "safe\n");
fx.write("src/.env", "ENV SECRET\n");
fx.write(".env", "ENV SECRET\n");
fx.write("static/app.js", "app\n");
fx.write("main.ts", "MAIN SECRET\n");
fx.write("public/page.txt", "page\n");
fx.write("public-x/secret", "SIBLING SECRET\n");
const SECRETS = /ADMIN SECRET|CAFE SECRET|ENV SECRET|MAIN SECRET|SIBLING SECRET|TOP SECRET/;

const guard: Handler = () => new Response("guarded\n", { status: 401 });
const files = serveStatic(fx.root, { cache: { statTtl: 0 } });
const guarded = mount({ "/admin": guard, "/café": guard, "/": files });
/** What the app at `/` was shown: its path and base. */
const echo: Handler = (request) => new Response(`${new URL(request.url).pathname} ${context(request).base}`);
const guardedEcho = mount({ "/admin": guard, "/café": guard, "/": echo });

/** The bypass targets of the issue, raw as a client sends them. */
const BYPASSES = [
  "//admin/secret.txt",
  "///admin/secret.txt",
  "/.//admin/secret.txt",
  "/\\admin/secret.txt",
  "/%61dmin/secret.txt",
  "/ad%6din/secret.txt",
  "/%61%64%6d%69%6e/secret.txt",
  "/%41dmin/../admin/secret.txt",
  "/admin//secret.txt",
  "/admin/./secret.txt",
  "/x/../admin/secret.txt",
  "/x/%2e%2e/admin/secret.txt",
  "/x/.%2E/admin/secret.txt",
  "http://evil//admin/secret.txt",
  "http://evil/%61dmin/secret.txt",
  "/caf%c3%a9/secret.txt",
  "/caf%C3%A9/secret.txt",
  "/cafe%CC%81/secret.txt",
  "/cafe%cc%81/secret.txt",
  "//caf%C3%A9/secret.txt",
  "/caf%C3%A9//secret.txt",
  "/café/secret.txt",
];

/** Advisories of the peers, each through the guard-in-front-of-files app: never a secret, never a 5xx. */
const ADVISORIES = [
  "/admin%2Fsecret.txt", // Hono GHSA-q5qw-h33p-qvwr: an encoded slash is no separator
  "/admin%2fsecret.txt",
  "/admin%5Csecret.txt", // Hono CVE-2026-54286
  "/admin%5csecret.txt",
  "/%252e%252e/outside/secret.txt", // h3 GHSA-72gr-qfp7-vwhw: decoded once, never twice
  "/%25252e%25252e/outside/secret.txt",
  "/src/safe.txt#/../../unsafe.txt", // Vite: a fragment is not the path
  "/src/.env\\", // Vite
  "/src/.env%5C",
  "/..\\..\\..\\outside\\secret.txt", // Vite
  "/.EnV", // Vite: dotfiles are hidden whatever the case
  "/.env::$DATA", // Vite: an NTFS stream name
  "/.env",
  "/src/.env",
  "/%2e%65nv",
];

test("hostile paths: every bypass of the guarded mount is answered by the guard (or refused), never with the file", async () => {
  await withServer(guarded, async (url) => {
    for (const target of BYPASSES) {
      const response = await rawRequest(url, target);
      assert.doesNotMatch(response.text(), SECRETS, target);
      assert.ok([401, 400, 404].includes(response.status), `${target}: ${response.status}`);
    }
    // The guard answers the ones that name the guarded folders.
    for (
      const target of ["//admin/secret.txt", "/%61dmin/secret.txt", "/cafe%CC%81/secret.txt", "/\\admin/secret.txt"]
    ) {
      assert.equal((await rawRequest(url, target)).status, 401, target);
    }
    // What is not guarded is still served.
    assert.equal((await rawRequest(url, "/admin-public/ok.txt")).text(), "public ok\n", "h3 CVE-2026-33490");
    assert.equal((await rawRequest(url, "//admin-public/ok.txt")).text(), "public ok\n");
    assert.equal((await rawRequest(url, "/src/safe.txt#/../../unsafe.txt")).status, 200);
  });
});

test("hostile paths: the app at / with base '' never sees a path under a guarded mount", async () => {
  await withServer(guardedEcho, async (url) => {
    for (const target of BYPASSES) {
      const response = await rawRequest(url, target);
      if (response.status === 200) {
        const [path, base] = response.text().split(" ");
        assert.equal(base, "", target);
        assert.ok(!underGuard(path), `${target} reached the root app as ${path}`);
      } else {
        assert.ok([401, 400].includes(response.status), `${target}: ${response.status}`);
      }
    }
  });
});

test("hostile paths: the published advisories' targets get no secret and no 5xx", async () => {
  const honoCase = mount({ "/static": serveStatic(`${fx.root}/static`) }); // Hono CVE-2024-32869
  const sirvCase = serveStatic(`${fx.root}/public`); // sirv: a sibling with the root's name as prefix
  await withServer(guarded, async (url) => {
    for (const target of ADVISORIES) {
      const response = await rawRequest(url, target);
      assert.doesNotMatch(response.text(), SECRETS, target);
      assert.ok(response.status < 500, `${target}: ${response.status}`);
    }
  });
  for (
    const [app, targets] of [[honoCase, ["/static/%2e%2e/main.ts", "/static/..%2fmain.ts", "/static/../main.ts"]], [
      sirvCase,
      ["/../public-x/secret", "/..%2fpublic-x/secret", "/%2e%2e/public-x/secret"],
    ]] as const
  ) {
    await withServer(app, async (url) => {
      for (const target of targets) {
        const response = await rawRequest(url, target);
        assert.doesNotMatch(response.text(), SECRETS, target);
        assert.ok([400, 403, 404].includes(response.status), `${target}: ${response.status}`);
      }
    });
  }
});

test("hostile paths: match() in front of files reads the canonical path too", async () => {
  const site = cascade(match(/^\/admin\//, guard), match("/caf%C3%A9/*", guard), files);
  await withServer(site, async (url) => {
    for (const target of BYPASSES) {
      const response = await rawRequest(url, target);
      assert.doesNotMatch(response.text(), SECRETS, target);
      assert.ok([401, 400, 404].includes(response.status), `${target}: ${response.status}`);
    }
  });
});

test("hostile paths: 10,000 generated paths: a file under admin/ is served only through the /admin mount", async () => {
  const unguarded = serveStatic(fx.root, { cache: { statTtl: 0 } });
  const segment = fc.constantFrom(
    "admin",
    "%61dmin",
    "%61%64%6D%69%6E",
    "ad%6din",
    "ADMIN",
    "caf%C3%A9",
    "caf%c3%a9",
    "cafe%CC%81",
    "café",
    "secret.txt",
    "secret%2etxt",
    "..",
    ".",
    "",
    "%2e",
    "%2E%2e",
    ".%2e",
    "%2f",
    "%2F",
    "%5c",
    "\\",
    "x",
    "%00",
    "%zz",
    "admin-public",
    "ok.txt",
  );
  const paths = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join("/")}`);
  let servedSecrets = 0;
  await fc.assert(
    fc.asyncProperty(paths, async (path) => {
      let request: Request;
      try {
        request = new Request(`http://localhost${path}`);
      } catch {
        return; // the URL parser refuses it: no server would hand it over
      }
      const bare = await unguarded(request);
      const bareText = await bare.text();
      const response = await guarded(new Request(request.url));
      const text = await response.text();
      assert.ok(response.status < 500, `${path}: ${response.status}`);
      if (/ADMIN SECRET|CAFE SECRET/.test(bareText)) {
        servedSecrets++;
        assert.equal(response.status, 401, `${path}: static alone serves a guarded file, the mount must guard it`);
      }
      assert.doesNotMatch(text, /ADMIN SECRET|CAFE SECRET/, path);
    }),
    { numRuns: 10_000 },
  );
  assert.ok(servedSecrets > 20, `the generator reached guarded files (${servedSecrets} times)`);
}, { timeout: 120_000 });

test(
  "hostile paths: generated raw targets over the runtime's own server agree with the in-process answer",
  async () => {
    const segment = fc.constantFrom(
      "admin",
      "%61dmin",
      "caf%c3%a9",
      "cafe%CC%81",
      "..",
      ".",
      "",
      "%2e%2e",
      "\\",
      "secret.txt",
    );
    const paths = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join("/")}`);
    await withServer(guarded, async (url) => {
      await fc.assert(
        fc.asyncProperty(paths, async (path) => {
          const response = await rawRequest(url, path);
          assert.ok(response.status < 500, `${path}: ${response.status}`);
          assert.doesNotMatch(response.text(), /ADMIN SECRET|CAFE SECRET/, path);
        }),
        { numRuns: 300 },
      );
    });
  },
  { timeout: 120_000 },
);

test("canonical path: idempotent, and the form dispatch and files agree on", () => {
  const cases: [string, string][] = [
    ["/", "/"],
    ["//", "/"],
    ["//admin", "/admin"],
    ["/./admin/", "/admin/"],
    ["/a/.", "/a/"],
    ["/a/..", "/"],
    ["/../../a", "/a"],
    ["/%61dmin", "/admin"],
    ["/%7e%2d%2E%5f", "/~-._"],
    ["/a%2fb", "/a%2Fb"],
    ["/a%5cb", "/a%5Cb"],
    ["/a\\b", "/a/b"],
    ["/caf%c3%a9", "/caf%C3%A9"],
    ["/cafe%CC%81", "/caf%C3%A9"],
    ["/café", "/caf%C3%A9"],
    ["/a b", "/a%20b"],
    ["/%FF%FE", "/%FF%FE"],
    ["/%252e%252e", "/%252e%252e"],
    ["/.well-known/x", "/.well-known/x"],
    ["/x/%2e%2e/y", "/y"],
    ["/x/.%2e/", "/"],
    ["/%E2%84%AAey", "/Key"], // KELVIN SIGN is K in NFC
  ];
  for (const [raw, expected] of cases) {
    assert.equal(canonicalPath(raw), expected, raw);
    assert.equal(canonicalPath(expected), expected, `${expected} is canonical`);
  }
  for (const malformed of ["/%zz", "/a%2", "/%"]) assert.equal(canonicalPath(malformed), undefined, malformed);
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 24 }), (tail) => {
      const once = canonicalPath(`/${tail}`);
      if (once !== undefined) assert.equal(canonicalPath(once), once);
    }),
    { numRuns: 2000 },
  );
});

/** An independent reading of a path: decoded segments, NFC, dot segments resolved; under admin/ or café/? */
function underGuard(path: string): boolean {
  const segments: string[] = [];
  for (const raw of path.split(/[\\/]/)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).normalize("NFC");
    } catch {
      segment = raw;
    }
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return segments[0] === "admin" || segments[0] === "café";
}
