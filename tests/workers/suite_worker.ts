/**
 * A Worker that runs the portable test files inside workerd and answers with
 * their results as JSON. tests/workers/run.ts generates the entry that imports
 * this module and every test file marked `// @workerd` on a line of its own.
 */
import { registry } from "../_lib/test.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/run") return new Response("fetchkit workers suite");
    const results: { name: string; ok: boolean; error?: string }[] = [];
    for (const { name, fn, timeout } of registry) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          fn(),
          new Promise((
            _,
            reject,
          ) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout))),
        ]);
        results.push({ name, ok: true });
      } catch (error) {
        results.push({ name, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      } finally {
        clearTimeout(timer);
      }
    }
    return Response.json(results);
  },
};
