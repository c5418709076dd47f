/**
 * The `tls` option of `serve()`: each of `cert` and `key` is PEM text (it
 * starts with `-----BEGIN`) or the path of a file holding it. Both are read
 * and checked before the server starts, with the runtime's `node:crypto`
 * (Deno, Bun and Node all have it): a missing file, text that is not PEM, an
 * encrypted key without its passphrase or a key that does not belong to the
 * certificate is a TypeError naming the option, never a failed handshake at
 * the first request.
 *
 * Why the key is handed on decrypted: Deno's server takes no passphrase, so
 * an encrypted key is opened here once and every runtime gets the same
 * plain PKCS #8 key.
 *
 * @module
 */
import { describe } from "../../internal/describe.ts";
import type { TlsOptions } from "../types.ts";

/** What an adapter gets: the certificate chain and the unencrypted private key, as PEM text. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

const PEM_START = "-----BEGIN";

/** Whether an option's value is PEM text rather than a path. */
export function isPemText(value: string): boolean {
  return value.trimStart().startsWith(PEM_START);
}

/** Checks the shape of the `tls` option; a TypeError names what is wrong. */
export function checkTlsOptions(tls: unknown): asserts tls is TlsOptions {
  if (tls === null || typeof tls !== "object") {
    throw new TypeError(`serve: tls must be an object { cert, key }, got ${describe(tls)}`);
  }
  const given = tls as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (name !== "cert" && name !== "key" && name !== "passphrase") {
      throw new TypeError(`serve: unknown tls option "${name}" (known: cert, key, passphrase)`);
    }
  }
  for (const name of ["cert", "key"]) {
    if (typeof given[name] !== "string" || given[name] === "") {
      throw new TypeError(`serve: tls.${name} must be PEM text or a file path, got ${describe(given[name])}`);
    }
  }
  if (given.passphrase !== undefined && typeof given.passphrase !== "string") {
    throw new TypeError(`serve: tls.passphrase must be a string, got ${describe(given.passphrase)}`);
  }
}

/** Reads and checks the certificate and key of `tls`. */
export async function loadTls(tls: TlsOptions): Promise<TlsMaterial> {
  checkTlsOptions(tls);
  const [cert, keyText] = await Promise.all([readPem("cert", tls.cert), readPem("key", tls.key)]);
  const crypto = await import("node:crypto");
  let certificate: InstanceType<typeof crypto.X509Certificate>;
  try {
    certificate = new crypto.X509Certificate(cert.text);
  } catch (error) {
    throw new TypeError(`serve: tls.cert${cert.from} is not a PEM certificate (${messageOf(error)})`);
  }
  const privateKey = openKey(crypto, keyText, tls.passphrase);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TypeError(`serve: tls.key${keyText.from} does not belong to the certificate of tls.cert${cert.from}`);
  }
  const key = tls.passphrase === undefined ? keyText.text : String(privateKey.export({ format: "pem", type: "pkcs8" }));
  return { cert: cert.text, key };
}

interface Pem {
  text: string;
  /** Where it came from, for messages: ` ("path")`, or nothing for inline text. */
  from: string;
}

async function readPem(name: string, value: string): Promise<Pem> {
  if (isPemText(value)) return { text: value, from: "" };
  const { readFile } = await import("node:fs/promises");
  const from = ` (${JSON.stringify(value)})`;
  let text: string;
  try {
    text = await readFile(value, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TypeError(
      `serve: tls.${name}: cannot read the file ${JSON.stringify(value)} (${code ?? messageOf(error)})`,
    );
  }
  if (!isPemText(text)) throw new TypeError(`serve: tls.${name}${from} is not PEM (no "${PEM_START}" line)`);
  return { text, from };
}

type Crypto = typeof import("node:crypto");

function openKey(crypto: Crypto, pem: Pem, passphrase: string | undefined): ReturnType<Crypto["createPrivateKey"]> {
  if (passphrase === undefined && /ENCRYPTED/.test(pem.text.slice(0, 200))) {
    throw new TypeError(`serve: tls.key${pem.from} is encrypted: give its passphrase as tls.passphrase`);
  }
  try {
    return crypto.createPrivateKey(passphrase === undefined ? pem.text : { key: pem.text, passphrase });
  } catch (error) {
    const wrongPassphrase = passphrase !== undefined && /decrypt/i.test(messageOf(error));
    if (wrongPassphrase) throw new TypeError(`serve: tls.passphrase does not open tls.key${pem.from}`);
    throw new TypeError(`serve: tls.key${pem.from} is not a PEM private key (${messageOf(error)})`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
