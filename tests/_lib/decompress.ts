/**
 * Decoding a compressed body the way a client would: DecompressionStream for
 * gzip and deflate (every runtime, workerd included), the runtime's zlib for
 * br and zstd (Node, Deno, Bun; fetched with process.getBuiltinModule so this
 * module still bundles for workerd).
 */
interface Zlib {
  gunzipSync(bytes: Uint8Array): Uint8Array;
  inflateSync(bytes: Uint8Array): Uint8Array;
  brotliDecompressSync(bytes: Uint8Array): Uint8Array;
  zstdDecompressSync(bytes: Uint8Array): Uint8Array;
}

/** The runtime's zlib, `undefined` on workerd without it. */
export function zlib(): Zlib | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  return process?.getBuiltinModule?.("node:zlib") as Zlib | undefined;
}

/** `bytes` decoded from `coding` (gzip, deflate, br, zstd, identity) as UTF-8 text. */
export async function decodeText(bytes: Uint8Array, coding: string | null): Promise<string> {
  if (coding === null || coding === "identity") return new TextDecoder().decode(bytes);
  if (coding === "gzip" || coding === "deflate") {
    const stream = new Response(bytes as Uint8Array<ArrayBuffer>).body!.pipeThrough(
      new DecompressionStream(coding) as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
    return await new Response(stream).text();
  }
  const z = zlib();
  if (z === undefined) throw new Error(`no zlib here to decode ${coding}`);
  return new TextDecoder().decode(coding === "br" ? z.brotliDecompressSync(bytes) : z.zstdDecompressSync(bytes));
}

/** A response's body decoded by its Content-Encoding. */
export async function decodedBody(response: Response): Promise<string> {
  return decodeText(new Uint8Array(await response.arrayBuffer()), response.headers.get("content-encoding"));
}
