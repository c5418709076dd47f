/**
 * The fetchkit CLI (placeholder until the serve issue lands): serves a hello page.
 *
 * @module
 */
import { serve } from "./mod.ts";

await serve(() => new Response("fetchkit example site\n", { headers: { "content-type": "text/plain" } }));
