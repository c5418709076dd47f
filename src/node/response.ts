/**
 * Fetch `Response` → `ServerResponse`, streaming with backpressure and
 * stopping when the client goes away. Written for {@linkcode toNode}; the
 * `node:http` serve adapter could share it.
 *
 * @module
 */
import type { ServerResponse } from "node:http";
import { drainOrClose } from "./drain.ts";

/**
 * Writes a Response to `res`. Headers go through `setHeader`, so headers an
 * Express app set before (and several `Set-Cookie`) are kept; the body is read
 * only as fast as the socket drains, and cancelled when `signal` aborts (a file
 * behind it is closed).
 */
export async function sendResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const body = response.body;
  if (res.headersSent || res.destroyed) {
    await body?.cancel().catch(() => {});
    return;
  }
  let cookies: string[] | undefined;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") (cookies ??= []).push(value);
    else res.setHeader(name, value);
  }
  if (cookies) res.setHeader("set-cookie", cookies);
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  if (body === null || res.req?.method === "HEAD") {
    res.end();
    await body?.cancel().catch(() => {});
    return;
  }
  const reader = body.getReader();
  const stop = () => void reader.cancel(signal.reason).catch(() => {});
  if (signal.aborted) return stop();
  signal.addEventListener("abort", stop, { once: true });
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await drainOrClose(res);
        if (signal.aborted) return;
      }
    }
    res.end();
  } catch (error) {
    // The head is out: the only honest signal left is closing the connection.
    if (!signal.aborted) console.error(error);
    res.destroy();
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
