/**
 * `fetchkit --static DIR` compresses as `npx serve` does: a text file without
 * a precompressed sibling is sent compressed to a client that accepts it
 * (curl --compressed), a small file and a client that accepts nothing get it
 * as it is, and the access log shows each answer.
 */
import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./_lib/test.ts";
import { curl } from "./_lib/tls.ts";
import { root, scriptCommand, startServing } from "./fixtures/serve/harness.ts";
import { eventually } from "./_lib/wait.ts";

const cli = (...args: string[]) => scriptCommand(join(root, "serve.ts"), ...args);
const opts = { skip: ["workerd" as const], timeout: 60_000 };

/** curl's view of one GET: the response head (lower-cased names) and the body as curl wrote it. */
async function curlGet(url: URL, ...args: string[]): Promise<{ head: Map<string, string>; body: string }> {
  const { code, out, err } = await curl(["-i", ...args, url.href]);
  assert.equal(code, 0, err);
  const at = out.indexOf("\r\n\r\n");
  const head = new Map<string, string>();
  for (const line of out.slice(0, at).split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    head.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { head, body: out.slice(at + 4) };
}

test("cli: --static compresses text files for curl --compressed, and logs each answer", async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "fetchkit-cli-compress-")));
  const script = "export const greeting = 'hello from a static file';\n".repeat(100);
  writeFileSync(join(dir, "app.js"), script);
  writeFileSync(join(dir, "tiny.txt"), "small\n");
  const proc = await startServing(cli("--static", dir), { path: "/tiny.txt" });
  try {
    const sizes: string[] = [];
    for (let i = 0; i < 2; i++) { // the first answer is compressed as it streams, the next from the kept copy
      const compressed = await curlGet(new URL("/app.js", proc.url), "--compressed");
      assert.match(compressed.head.get("content-encoding") ?? "", /^(br|zstd|gzip|deflate)$/, proc.output());
      assert.equal(compressed.head.get("vary"), "Accept-Encoding");
      assert.equal(compressed.body, script, "curl decoded the file");
      sizes.push(compressed.head.get("content-length") ?? "-");
    }
    const plain = await curlGet(new URL("/app.js", proc.url));
    assert.equal(plain.head.get("content-encoding"), undefined, "curl without --compressed accepts no coding");
    assert.equal(plain.head.get("content-length"), String(script.length));
    const tiny = await curlGet(new URL("/tiny.txt", proc.url), "--compressed");
    assert.equal(tiny.head.get("content-encoding"), undefined, "a file under 1 KiB is sent as it is");
    assert.equal(tiny.body, "small\n");
    // The log shows what went out: the compressed size (a small file's copy is whole, with its length), then the plain.
    const logged = () => [...proc.output().matchAll(/ GET \/app\.js 200 (\S+)/g)].map((match) => match[1]);
    await eventually(() => logged().length === 3, "the log lines");
    assert.deepEqual(logged(), [...sizes, String(script.length)]);
    assert.ok(Number(sizes[1]) < script.length / 10, `compressed to ${sizes[1]} bytes`);
  } finally {
    await proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, opts);
