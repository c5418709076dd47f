/**
 * Writes the 35 tiles of the example site's picture page (and the whole
 * picture, for comparison) into examples/site/static/tiles/. The output is
 * committed, so nothing is generated or downloaded at run time; run this only
 * after changing examples/site/picture/.
 *
 * Usage: node scripts/make-tiles.ts     (also: deno run -A, bun run)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { encodePng } from "../examples/site/picture/png.ts";
import { COLUMNS, cutTile, renderPicture, ROWS, tileName } from "../examples/site/picture/mandelbrot.ts";

const here = import.meta.dirname ?? new URL(".", import.meta.url).pathname;
const folder = resolve(here, "../examples/site/static/tiles");
mkdirSync(folder, { recursive: true });
const picture = renderPicture();
let bytes = 0;
for (let row = 0; row < ROWS; row++) {
  for (let column = 0; column < COLUMNS; column++) {
    const png = await encodePng(cutTile(picture, row, column));
    writeFileSync(join(folder, tileName(row, column)), png);
    bytes += png.length;
  }
}
const whole = await encodePng(picture);
writeFileSync(join(folder, "../picture.png"), whole);
console.log(`${ROWS * COLUMNS} tiles (${bytes} bytes) and picture.png (${whole.length} bytes) in ${folder}`);
