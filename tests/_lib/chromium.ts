/**
 * Where the browser tests find Debian's Chromium and how they start it: one
 * place, so every browser test runs the same browser the same way.
 */
import { existsSync } from "node:fs";

/** Debian's Chromium (`apt-get install chromium`, or `bash scripts/system-deps.sh` as root). */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, no sandbox (containers), and nothing that talks to the network on its own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Whether the browser tests can run here. */
export const haveChromium = existsSync(CHROMIUM);
