/**
 * A Worker that runs the portable test files inside workerd and answers with
 * their results as JSON. Bundled and driven by tests/workers/run.ts.
 */
import { registry } from "../_lib/test.ts";
import "./suite.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/run") return new Response("fetchkit workers suite");
    const results: { name: string; ok: boolean; error?: string }[] = [];
    for (const { name, fn, timeout } of registry) {
      try {
        await Promise.race([
          fn(),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout)),
        ]);
        results.push({ name, ok: true });
      } catch (error) {
        results.push({ name, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      }
    }
    return Response.json(results);
  },
};
