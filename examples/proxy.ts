/**
 * "POSTs to the primary, everything else to the replicas", as a
 * reverse proxy in front of three upstream servers, all on loopback. The
 * upstreams are started by this script too: a primary that takes writes and
 * copies them to two read-only replicas.
 *
 * Run:  node examples/proxy.ts      then try:
 *   curl -d "note=hello" http://127.0.0.1:8000/notes     (a write: answered by the primary)
 *   curl http://127.0.0.1:8000/notes                     (a read: replica-1, then replica-2, ...)
 * (also with `deno run -A examples/proxy.ts` or `bun examples/proxy.ts`)
 *
 * Importing this module binds no port: it only serves when run directly.
 *
 * @module
 */
import { balance, proxy } from "../src/middleware/mod.ts";
import { byMethod, type Handler, serve, type Server } from "../mod.ts";

/** One upstream: a tiny notes store that names itself in every answer. */
function notesServer(name: string, notes: string[], replicas: () => URL[]): Handler {
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname !== "/notes") return new Response("Not Found\n", { status: 404 });
    if (request.method === "GET" || request.method === "HEAD") return Response.json({ server: name, notes });
    if (request.method !== "POST" || name !== "primary") {
      return new Response(`${name} is read-only\n`, { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const note = new URLSearchParams(await request.text()).get("note")?.slice(0, 200);
    if (!note) return new Response("Bad Request: send note=...\n", { status: 400 });
    notes.push(note);
    // Replication, the simplest kind: the primary writes to each replica's own copy.
    for (const replica of replicas()) {
      await fetch(new URL("/replicate", replica), { method: "PUT", body: note });
    }
    return Response.json({ server: name, notes }, { status: 201 });
  };
}

function replicaServer(name: string): Handler {
  const notes: string[] = [];
  const read = notesServer(name, notes, () => []);
  return async (request) => {
    if (new URL(request.url).pathname === "/replicate" && request.method === "PUT") {
      notes.push(await request.text());
      return new Response(null, { status: 204 });
    }
    return read(request);
  };
}

/** The three upstreams, running. */
export interface Upstreams {
  primary: Server;
  replicas: Server[];
  /** Stops all three. */
  close(): Promise<void>;
}

/** Starts a primary and two replicas on free loopback ports, quietly. */
export async function startUpstreams(): Promise<Upstreams> {
  const quiet = { port: 0, hostname: "127.0.0.1", onListen() {} };
  const replicas = [await serve(replicaServer("replica-1"), quiet), await serve(replicaServer("replica-2"), quiet)];
  const primary = await serve(notesServer("primary", [], () => replicas.map((r) => r.url)), quiet);
  return {
    primary,
    replicas,
    close: async () => void await Promise.all([primary, ...replicas].map((server) => server.shutdown())),
  };
}

/** The proxy itself: five lines of fetchkit. */
export function database(primary: URL, replicas: URL[]): Handler {
  return byMethod({
    POST: proxy(primary),
    "*": balance(replicas),
  });
}

if (import.meta.main) {
  const upstreams = await startUpstreams();
  console.log(`primary on ${upstreams.primary.url}, replicas on ${upstreams.replicas.map((r) => r.url).join(" and ")}`);
  const server = await serve(database(upstreams.primary.url, upstreams.replicas.map((r) => r.url)));
  await server.finished;
  await upstreams.close();
}
