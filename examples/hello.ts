/**
 * The smallest fetchkit app: one function from Request to Response.
 *
 * Run:  node examples/hello.ts      then open http://127.0.0.1:8000/
 * (also `deno run -A examples/hello.ts` or `bun examples/hello.ts`; the
 * default export is the handler, so `node serve.ts examples/hello.ts` serves
 * it too, as `npx fetchkit examples/hello.ts` does for a user)
 *
 * Importing this module binds no port: it serves only when run directly.
 *
 * @module
 */
import { serve } from "../mod.ts";

/** Greets whoever asks, naming the path they asked for. */
export default function hello(request: Request): Response {
  const { pathname } = new URL(request.url);
  return new Response(`Hello from fetchkit! You asked for ${pathname}\n`, {
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

if (import.meta.main) await serve(hello);
