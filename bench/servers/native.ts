/**
 * What every bench server needs from the runtime it runs on: its port and
 * arguments, and a way to serve a handler with the runtime's own Fetch server.
 *
 * @module
 */

const g = globalThis as unknown as {
  Deno?: { args: string[]; serve(options: Record<string, unknown>, handler: unknown): unknown };
  Bun?: { serve(options: Record<string, unknown>): unknown };
  process?: { argv: string[]; env: Record<string, string | undefined> };
};

/** The port to listen on: `$PORT`, set by bench/_lib/bench.ts. */
export const port: number = Number(g.process?.env.PORT ?? 8000);

/** The server's command-line arguments, after the script. */
export const args: string[] = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];

/**
 * Serves `handler` on 127.0.0.1:`port` with `Deno.serve` or `Bun.serve`,
 * handed over as it is: a zero-argument handler stays one, and Deno does not
 * even build a Request for it. Returns `false` on Node, which has no Fetch
 * server of its own.
 */
export function serveNatively(handler: (request: Request) => Response | Promise<Response>): boolean {
  if (g.Deno) g.Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, handler);
  else if (g.Bun) g.Bun.serve({ port, hostname: "127.0.0.1", fetch: handler });
  else return false;
  return true;
}
