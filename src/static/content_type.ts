/**
 * Content-Type from the file name, via the mime-db based `mime` package.
 *
 * @module
 */
import mime from "mime";

/**
 * Source files a developer serves, where mime-db's type is wrong for them:
 * `.ts` there is an MPEG transport stream (`video/mp2t`) and `.rs` an XML
 * format. TypeScript gets the types Deno's module loader reads as TypeScript,
 * TSX and JSX (so `deno run http://…/app.ts` imports it), which browsers show
 * as text; other sources are text a browser shows rather than downloads.
 */
const SOURCE_TYPES = new Map<string, string>(Object.entries({
  ts: "text/typescript",
  mts: "text/typescript",
  cts: "text/typescript",
  tsx: "text/tsx",
  cjs: "text/javascript",
  jsonc: "text/plain",
  rs: "text/x-rust",
  py: "text/x-python",
  go: "text/x-go",
  sh: "text/x-shellscript",
  vue: "text/plain",
  svelte: "text/plain",
  diff: "text/x-diff",
  patch: "text/x-diff",
}));

/**
 * The Content-Type for a file name: mime-db's type, with `charset=utf-8` for
 * text types (text/*, JavaScript, JSON, XML and their `+json`/`+xml` kin),
 * `application/octet-stream` when unknown (with `nosniff`, browsers then
 * download rather than guess).
 */
export function contentTypeFor(name: string): string {
  // The part after the last dot, or the whole name, as `mime` reads it.
  const type = SOURCE_TYPES.get(name.slice(name.lastIndexOf(".") + 1).toLowerCase()) ?? mime.getType(name);
  if (type === null) return "application/octet-stream";
  return isText(type) ? `${type}; charset=utf-8` : type;
}

function isText(type: string): boolean {
  return type.startsWith("text/") || type === "application/javascript" || type === "application/json" ||
    type === "application/xml" || type.endsWith("+json") || type.endsWith("+xml");
}
