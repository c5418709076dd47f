/**
 * The dynamic app the site mounts under `/app`: a small guestbook that does
 * not know where it is mounted. Every link and form action it prints starts
 * with `context(request).base` (the SCRIPT_NAME of the WSGI days), so the same
 * code works under `/app`, under `/somewhere/else`, or at the top.
 *
 * @module
 */
// The names every runtime shares (the root entry without serve/serveStatic), so the Worker bundles it too.
import { byMethod, cascade, context, type Handler, match } from "../../src/entries/root.ts";
import { type Html, html } from "./html.ts";

/** Renders a page of the guestbook inside whatever frame the host site uses. */
export type Frame = (request: Request, title: string, body: Html, status?: number) => Response;

interface Entry {
  name: string;
  message: string;
  at: Date;
}

const bareFrame: Frame = (_request, title, body, status = 200) =>
  new Response(html`<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1>${body}`.toString(), {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });

/** The request's path inside the app: dispatch shows a mounted app its URL with the prefix taken off. */
function localPath(request: Request): string {
  return new URL(request.url).pathname;
}

/**
 * Creates a guestbook with its own in-memory entries.
 *
 * @example Mounted anywhere, its links follow
 * ```ts
 * import { mount } from "@fetchkit/core";
 * const site = mount({ "/app": guestbook() });
 * ```
 */
export function guestbook(options: { frame?: Frame } = {}): Handler {
  const frame = options.frame ?? bareFrame;
  const entries = new Map<number, Entry>();
  let nextId = 0;

  const list = (request: Request) => {
    const { base } = context(request);
    const items = [...entries].map(([id, entry]) =>
      html`<li><a href="${base}/entries/${id}">${entry.name}</a>: ${entry.message}</li>`
    );
    return frame(
      request,
      "Guestbook",
      html`
        <p>A dynamic app mounted at <code>${base || "/"}</code>. Its links are built from that prefix.</p>
        <form class="inline" method="post" action="${base}/entries">
          <input type="text" name="name" placeholder="Your name" aria-label="Your name" required maxlength="60">
          <input type="text" name="message" placeholder="A message" aria-label="A message" required maxlength="400">
          <button>Sign</button>
        </form>
        ${entries.size
          ? html`<ul class="entries">${items}</ul>`
          : html`<p id="empty">No entries yet: be the first.</p>`}
        <p><a href="${base}/about">How does it know where it lives?</a></p>
      `,
    );
  };

  const show = (request: Request, id: number) => {
    const { base } = context(request);
    const entry = entries.get(id);
    if (!entry) return frame(request, "No such entry", html`<p><a href="${base}/">Back to the guestbook</a></p>`, 404);
    return frame(
      request,
      `Entry ${id}`,
      html`<blockquote id="message">${entry.message}</blockquote>
<p>— ${entry.name}, ${entry.at.toISOString()}</p>
<p><a href="${base}/">Back to the guestbook</a></p>`,
    );
  };

  const sign = async (request: Request) => {
    const { base } = context(request);
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return new Response("Bad Request: expected a form\n", { status: 400 });
    }
    const name = String(form.get("name") ?? "").trim().slice(0, 60);
    const message = String(form.get("message") ?? "").trim().slice(0, 400);
    if (!name || !message) return new Response("Bad Request: name and message are required\n", { status: 400 });
    const id = nextId++;
    entries.set(id, { name, message, at: new Date() });
    if (entries.size > 1000) entries.delete(id - 1000); // an example must not grow without bound
    return new Response(null, { status: 303, headers: { location: `${base}/entries/${id}` } });
  };

  const about = (request: Request) => {
    const { base, originalUrl } = context(request);
    return frame(
      request,
      "Where am I?",
      html`
        <table class="facts">
          <tr>
            <th>Mount prefix (<code>context(request).base</code>)</th>
            <td id="base"><code>${base}</code></td>
          </tr>
          <tr>
            <th>Path inside the app</th>
            <td id="path"><code>${localPath(request)}</code></td>
          </tr>
          <tr>
            <th>Original URL</th>
            <td id="original"><code>${originalUrl}</code></td>
          </tr>
        </table>
        <p><a href="${base}/">Back to the guestbook</a></p>
      `,
    );
  };

  // Patterns, not a prefix table: the guestbook owns exact paths. Anything
  // else is passed on, so the site around it answers (its 404 page).
  return cascade(
    match("/", byMethod({ GET: list })),
    match("/about", byMethod({ GET: about })),
    match("/entries", byMethod({ POST: sign })),
    match(
      /^\/entries\/(?<id>\d{1,6})$/,
      byMethod({ GET: (request) => show(request, Number(context(request).params.id)) }),
    ),
  );
}
