/** Serves a handler on 127.0.0.1 on an ephemeral port for the duration of `body`. */
import type { HandlerLike } from "../../src/handler.ts";
import { serve } from "../../src/serve/serve.ts";
import type { ServeOptions, Server } from "../../src/serve/types.ts";

export async function withServer<T>(
  app: HandlerLike,
  body: (url: URL, server: Server) => Promise<T>,
  options: ServeOptions = {},
): Promise<T> {
  const server = await serve(app, { port: 0, hostname: "127.0.0.1", onListen() {}, ...options });
  try {
    return await body(server.url, server);
  } finally {
    await server.shutdown();
  }
}
