#!/usr/bin/env node
// The `fetchkit` command of the npm package. Plain JavaScript, so that even a Node.js too old for
// fetchkit reads this far and says which version it needs, instead of failing on a .ts module.
const node = globalThis.process?.versions?.node;
const [major, minor] = (node ?? "").split(".").map(Number);
if (node && !globalThis.Bun && !globalThis.Deno && (major < 22 || (major === 22 && minor < 18))) {
  console.error(`fetchkit needs Node.js 22.18 or later, which loads .ts modules itself (this is v${node})`);
  process.exit(1);
}
const { main } = await import("../dist/src/cli/main.js");
await main();
