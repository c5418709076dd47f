/**
 * The proxy's upstream client on Node: `node:http`/`node:https` instead of
 * `fetch()`, for two reasons measured here. Node's fetch (undici) keeps every
 * chunk of a streamed request body alive until the exchange ends
 * (nodejs/undici#4058: a proxied 64 MiB upload held 64 MiB), and it decodes a
 * compressed response while keeping its `Content-Encoding`. This client
 * streams both ways with backpressure and passes bodies through as they are.
 *
 * The `node:` modules are imported on first use, so a Workers bundle of the
 * proxy holds no static `node:` import.
 *
 * @module
 */
import type * as Http from "node:http";
import { bodyStream } from "../../node/body.ts";
import { headersFrom } from "../../node/request.ts";
import { drainOrClose } from "../../node/drain.ts";
import { isNullBodyStatus } from "../../internal/http.ts";

/** What the proxy sends upstream. */
export interface UpstreamRequest {
  method: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  signal: AbortSignal;
}

interface Clients {
  http: typeof Http;
  https: { request: typeof Http.request };
  agents: { "http:": Http.Agent; "https:": Http.Agent };
}

let clients: Promise<Clients> | undefined;

function loadClients(): Promise<Clients> {
  return clients ??= Promise.all([import("node:http"), import("node:https")]).then(([http, https]) => ({
    http,
    https,
    // Connections to the upstream are reused, as fetch() would.
    agents: { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) },
  }));
}

/**
 * Sends `init` to `target` and resolves with the upstream's Response once its
 * headers are in; rejects like `fetch()` (a `TypeError` whose `cause` has the
 * socket error's `code`), or with the signal's reason when it aborts first.
 */
export async function fetchUpstream(target: string, init: UpstreamRequest): Promise<Response> {
  const { http, https, agents } = await loadClients();
  const url = new URL(target);
  const secure = url.protocol === "https:";
  // Headers as a flat list keep repeated fields apart, but then Node adds no Host of its own.
  const flat: string[] = ["host", url.host];
  for (const [name, value] of init.headers) flat.push(name, value);
  return await new Promise<Response>((resolve, reject) => {
    const request = (secure ? https : http).request(url, {
      method: init.method,
      headers: flat,
      agent: agents[secure ? "https:" : "http:"],
      signal: init.signal,
    });
    request.once("error", (error) => {
      reject(init.signal.aborted ? init.signal.reason : new TypeError("fetch failed", { cause: error }));
    });
    request.once("response", (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 599) {
        response.destroy();
        reject(new TypeError(`fetch failed: the upstream answered status ${status}`));
        return;
      }
      const headers = headersFrom(response.rawHeaders);
      const bodyless = isNullBodyStatus(status) || init.method === "HEAD";
      if (bodyless) response.resume();
      resolve(
        new Response(bodyless ? null : bodyStream(response), {
          status,
          statusText: response.statusMessage,
          headers,
        }),
      );
    });
    if (init.body === null) request.end();
    else void send(init.body, request);
  });
}

/** Writes the request body with backpressure; a failing body aborts the upstream request. */
async function send(body: ReadableStream<Uint8Array>, request: Http.ClientRequest): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) break;
      if (request.destroyed) return void reader.cancel().catch(() => {});
      if (!request.write(step.value)) await drainOrClose(request);
    }
    request.end();
  } catch (error) {
    request.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
