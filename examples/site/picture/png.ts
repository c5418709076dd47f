/**
 * A tiny PNG encoder and decoder (8-bit indexed colour, filter 0), enough to
 * ship the tiles of the example site and to check them in tests. Pure
 * TypeScript over `CompressionStream("deflate")`, whose output is the zlib
 * format PNG's IDAT expects, so it runs on Deno, Bun, Node and Workers.
 *
 * @module
 */

/** An 8-bit indexed image: one palette index per pixel, row after row. */
export interface IndexedImage {
  width: number;
  height: number;
  /** RGB triples, at most 256 of them. */
  palette: readonly (readonly [number, number, number])[];
  /** `width * height` palette indices. */
  pixels: Uint8Array;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

async function transform(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const body = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes an indexed image as PNG bytes.
 *
 * @example A 2×1 image, one red and one blue pixel
 * ```ts
 * const png = await encodePng({ width: 2, height: 1, palette: [[255, 0, 0], [0, 0, 255]], pixels: Uint8Array.of(0, 1) });
 * ```
 */
export async function encodePng(image: IndexedImage): Promise<Uint8Array> {
  const { width, height, palette, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new TypeError(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  }
  if (palette.length < 1 || palette.length > 256) {
    throw new TypeError(`encodePng: palette must hold 1 to 256 colours, got ${palette.length}`);
  }
  if (pixels.length !== width * height) {
    throw new TypeError(`encodePng: pixels must hold width*height = ${width * height} indices, got ${pixels.length}`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 3, 0, 0, 0], 8); // bit depth 8, colour type 3 (indexed), deflate, filter 0, no interlace
  const plte = new Uint8Array(palette.length * 3);
  palette.forEach((rgb, i) => plte.set(rgb, i * 3));
  // Filter type 0 on every row: the PNG spec's advice for palette images.
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const idat = await transform(raw, new CompressionStream("deflate"));
  const parts = [
    SIGNATURE,
    chunk("IHDR", header),
    chunk("PLTE", plte),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Decodes a PNG written by {@linkcode encodePng} (indexed, 8-bit, filter 0),
 * checking the signature and every chunk's CRC.
 *
 * @example Round trip
 * ```ts
 * const image = { width: 1, height: 1, palette: [[1, 2, 3]] as const, pixels: Uint8Array.of(0) };
 * const decoded = await decodePng(await encodePng(image));
 * decoded.width; // 1
 * ```
 */
export async function decodePng(png: Uint8Array): Promise<IndexedImage> {
  if (png.length < 8 || SIGNATURE.some((byte, i) => png[i] !== byte)) throw new Error("not a PNG: bad signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0;
  let height = 0;
  let palette: [number, number, number][] = [];
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) {
      throw new Error(`PNG chunk ${type}: bad CRC`);
    }
    at += 12 + length;
    if (type === "IHDR") {
      const header = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = header.getUint32(0);
      height = header.getUint32(4);
      if (data[8] !== 8 || data[9] !== 3 || data[12] !== 0) throw new Error("PNG: only 8-bit indexed, not interlaced");
    } else if (type === "PLTE") {
      palette = Array.from({ length: length / 3 }, (_, i) => [data[i * 3], data[i * 3 + 1], data[i * 3 + 2]]);
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      break;
    }
  }
  const compressed = new Uint8Array(idat.reduce((sum, part) => sum + part.length, 0));
  idat.reduce((offset, part) => (compressed.set(part, offset), offset + part.length), 0);
  const raw = await transform(compressed, new DecompressionStream("deflate"));
  if (raw.length !== height * (width + 1)) {
    throw new Error(`PNG: ${raw.length} bytes of image data for ${width}×${height}`);
  }
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width + 1);
    if (raw[row] !== 0) throw new Error(`PNG: row ${y} uses filter ${raw[row]}, only 0 is supported`);
    pixels.set(raw.subarray(row + 1, row + 1 + width), y * width);
  }
  return { width, height, palette, pixels };
}
