/**
 * The one picture the tiles page is cut from: the Mandelbrot set, 700×500,
 * rendered with `+`, `*` and comparisons only, so every runtime computes the
 * very same pixels (IEEE 754 rounds those exactly alike; `Math.log` and
 * friends may differ in the last bit from engine to engine).
 *
 * Why 7×5 and not the classic 570×562: 35 tiles of 100×100 cannot cover
 * 570×562 (that needs 6×6 = 36, with clipped tiles on two edges). 35 whole
 * tiles are a 7×5 grid, so the picture is 700×500.
 *
 * @module
 */
import type { IndexedImage } from "./png.ts";

/** Edge of one square tile, in pixels. */
export const TILE = 100;
/** Tiles across. */
export const COLUMNS = 7;
/** Tiles down. */
export const ROWS = 5;

const WIDTH = COLUMNS * TILE;
const HEIGHT = ROWS * TILE;
const MAX_ITERATIONS = 200;

/** Gradient stops, spread over palette entries 1..255; entry 0 is the set itself. */
const STOPS: [number, number, number][] = [
  [8, 12, 48],
  [22, 64, 140],
  [40, 150, 200],
  [235, 245, 255],
  [255, 190, 60],
  [190, 60, 20],
  [60, 10, 40],
];

function gradient(): [number, number, number][] {
  const palette: [number, number, number][] = [[4, 4, 16]];
  const spans = STOPS.length - 1;
  for (let i = 0; i < 255; i++) {
    // Integer arithmetic only: the palette is identical everywhere.
    const position = i * spans * 256 / 254;
    const stop = Math.min(spans - 1, Math.floor(position / 256));
    const t = position - stop * 256;
    const [a, b] = [STOPS[stop], STOPS[stop + 1]];
    palette.push([0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * t / 256)) as [number, number, number]);
  }
  return palette;
}

/** Palette index for an escape after `n` iterations: fast bands at first, slower further in. */
function shade(n: number): number {
  const scaled = n < 16 ? n * 6 : 96 + (n - 16) * 159 / (MAX_ITERATIONS - 16);
  return 1 + Math.min(254, Math.floor(scaled));
}

/**
 * Renders the whole picture.
 *
 * @example
 * ```ts
 * const picture = renderPicture();
 * picture.width; // 700
 * ```
 */
export function renderPicture(): IndexedImage {
  const pixels = new Uint8Array(WIDTH * HEIGHT);
  const step = 3.5 / WIDTH;
  for (let y = 0; y < HEIGHT; y++) {
    const ci = -1.25 + (y + 0.5) * step;
    for (let x = 0; x < WIDTH; x++) {
      const cr = -2.5 + (x + 0.5) * step;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < MAX_ITERATIONS && zr * zr + zi * zi <= 4) {
        const next = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = next;
        n++;
      }
      pixels[y * WIDTH + x] = n === MAX_ITERATIONS ? 0 : shade(n);
    }
  }
  return { width: WIDTH, height: HEIGHT, palette: gradient(), pixels };
}

/**
 * Cuts one tile out of the picture.
 *
 * @example The top-left tile
 * ```ts
 * const tile = cutTile(renderPicture(), 0, 0);
 * tile.width; // 100
 * ```
 */
export function cutTile(picture: IndexedImage, row: number, column: number): IndexedImage {
  const pixels = new Uint8Array(TILE * TILE);
  for (let y = 0; y < TILE; y++) {
    const from = (row * TILE + y) * picture.width + column * TILE;
    pixels.set(picture.pixels.subarray(from, from + TILE), y * TILE);
  }
  return { width: TILE, height: TILE, palette: picture.palette, pixels };
}

/** The file name of a tile, relative to the tiles folder. */
export function tileName(row: number, column: number): string {
  return `r${row}c${column}.png`;
}
