/**
 * The npm install path for real: `npm pack` (which builds dist/ with tsc),
 * install the tarball into a fresh project, import "fetchkit" from plain Node
 * and serve a request with it. Node refuses to strip types under node_modules,
 * so this proves the package ships JavaScript and declarations.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { test } from "./_lib/test.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname ?? ".", "..");

test("package: the npm tarball installs and serves on plain Node", async () => {
  const dir = await mkdtemp(join(tmpdir(), "fetchkit-pack-"));
  try {
    await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: root, maxBuffer: 1 << 24 });
    const tarball = (await readdir(dir)).find((f) => f.endsWith(".tgz"));
    assert.ok(tarball, "npm pack wrote a tarball");
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", `./${tarball}`], {
      cwd: dir,
    });
    const script = `
      import { context, mount, serve, serveStatic } from "fetchkit";
      const app = mount({
        "/app": (request) => new Response("packaged " + context(request).base + new URL(request.url).pathname),
        "/files": serveStatic("."),
      });
      const server = await serve(app, { port: 0, onListen() {} });
      const text = await (await fetch(new URL("/app/x", server.url))).text();
      const file = await fetch(new URL("/files/package.json", server.url));
      const json = await file.json();
      await server.shutdown();
      console.log(text, file.status, file.headers.get("content-type"), json.name);
    `;
    await writeFile(join(dir, "consumer.mjs"), script);
    const { stdout } = await run(join(root, "node_modules", ".bin", "node"), ["consumer.mjs"], { cwd: dir });
    assert.equal(stdout.trim(), "packaged /app/x 200 application/json; charset=utf-8 consumer");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, { only: ["node"], timeout: 120_000 });
