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

const text = { "content-type": "text/plain; charset=utf-8" };

/** Greets whoever asks for `/`; any other path (`/favicon.ico` too) is a 404, as a real site answers it. */
export default function hello(request: Request): Response {
  if (new URL(request.url).pathname !== "/") return new Response("Not Found\n", { status: 404, headers: text });
  return new Response("Hello from fetchkit!\n", { headers: text });
}

if (import.meta.main) await serve(hello);
