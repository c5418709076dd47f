/**
 * A throwaway certificate authority and a server certificate it signed (for
 * `localhost` and 127.0.0.1), made with openssl in a temporary directory: the
 * client side trusts `ca`, the server serves `cert` and `key`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The files of a test certificate, and their PEM text. */
export interface TestCertificate {
  dir: string;
  /** The CA's certificate file, for clients to trust. */
  ca: string;
  /** The server's certificate file. */
  cert: string;
  /** The server's private key file (unencrypted). */
  key: string;
  /** The same key encrypted with `passphrase`. */
  encryptedKey: string;
  passphrase: string;
  /** A second key, not the certificate's. */
  otherKey: string;
  certText: string;
  keyText: string;
  /** Removes the directory. */
  remove(): void;
}

const OPENSSL = "/usr/bin/openssl";
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** Makes a CA and a server certificate signed by it. */
export function makeCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "fetchkit-tls-"));
  const days = ["-days", "2"];
  openssl(dir, [
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    ...days,
    "-subj",
    "/CN=fetchkit test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  openssl(dir, ["req", ...EC, "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=localhost"]);
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "cert.pem",
    ...days,
    "-extfile",
    "server.ext",
  ]);
  const passphrase = "correct horse";
  openssl(dir, ["pkcs8", "-topk8", "-in", "key.pem", "-out", "key.encrypted.pem", "-passout", `pass:${passphrase}`]);
  openssl(dir, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "other.key"]);
  const file = (name: string) => join(dir, name);
  return {
    dir,
    ca: file("ca.pem"),
    cert: file("cert.pem"),
    key: file("key.pem"),
    encryptedKey: file("key.encrypted.pem"),
    passphrase,
    otherKey: file("other.key"),
    certText: readFileSync(file("cert.pem"), "utf8"),
    keyText: readFileSync(file("key.pem"), "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `body` with a fresh test certificate, removed afterwards. */
export async function withCertificate<T>(body: (certificate: TestCertificate) => Promise<T>): Promise<T> {
  const certificate = makeCertificate();
  try {
    return await body(certificate);
  } finally {
    certificate.remove();
  }
}

/** Runs curl with `args`; resolves with its output and exit code (it never rejects). */
export function curl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return import("node:child_process").then(({ execFile }) =>
    new Promise((resolve) => {
      execFile("curl", ["-sS", "--max-time", "20", ...args], { maxBuffer: 1 << 24 }, (error, out, err) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, out: String(out), err: String(err) });
      });
    })
  );
}
