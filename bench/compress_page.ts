/**
 * The 100 KiB HTML page bench/compress.ts compresses: a product listing, each
 * row different (numbers, names, prices), so it compresses like a real page
 * (about 8:1 at gzip level 6) rather than like one line repeated.
 */
const NAMES = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Juniper", "Larch", "Maple"];

/** The page as UTF-8 bytes, exactly 100 KiB. */
export function pageBytes(): Uint8Array<ArrayBuffer> {
  let html = "<!doctype html><html lang=en><head><meta charset=utf-8><title>Catalogue</title>" +
    "<link rel=stylesheet href=/style.css></head><body><main><h1>Catalogue</h1><table>\n";
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; html.length < 110 * 1024; i++) {
    const name = `${NAMES[next() % NAMES.length]} ${NAMES[next() % NAMES.length]}`;
    html += `<tr id="p${i}"><td><a href="/products/${next() % 100000}">${name} #${next() % 1000}</a></td>` +
      `<td class=price>${(next() % 50000) / 100} €</td><td>${next() % 97} in stock</td></tr>\n`;
  }
  return new TextEncoder().encode(html).slice(0, 100 * 1024);
}
