/**
 * Content-Type from the file name, via the mime-db based `mime` package.
 *
 * @module
 */
import mime from "mime";

/**
 * The Content-Type for a file name: mime-db's type, with `charset=utf-8` for
 * text types (text/*, JavaScript, JSON, XML and their `+json`/`+xml` kin),
 * `application/octet-stream` when unknown (with `nosniff`, browsers then
 * download rather than guess).
 */
export function contentTypeFor(name: string): string {
  const type = mime.getType(name);
  if (type === null) return "application/octet-stream";
  return isText(type) ? `${type}; charset=utf-8` : type;
}

function isText(type: string): boolean {
  return type.startsWith("text/") || type === "application/javascript" || type === "application/json" ||
    type === "application/xml" || type.endsWith("+json") || type.endsWith("+xml");
}
