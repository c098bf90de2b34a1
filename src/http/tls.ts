/**
 * The certificate and key of `--tls-cert` / `--tls-key`, read and checked
 * before they are used: at start, and on every reload (SIGHUP, after a Let's
 * Encrypt renewal). A file that is missing, not PEM, or a key that does not
 * match the certificate is refused with one line, and a running server keeps
 * the certificate it has.
 *
 * Checked with X509Certificate and createPrivateKey rather than by building
 * a secure context: Deno 2.9's createSecureContext accepts a mismatched pair
 * (and garbage) without a word, and the server then fails every handshake
 * (measured).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Config } from "../config/schema.ts";

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** For the log: whom the certificate names and until when. */
  readonly subject: string;
  readonly validTo: Date;
}

/** A certificate or key that cannot be used; `message` is one line naming the file. */
export class TlsError extends Error {
  override name = "TlsError";
}

/**
 * @example
 * const tls = await loadTls({ tlsCert: "/etc/letsencrypt/live/chat/fullchain.pem", tlsKey: ".../privkey.pem" });
 * httpsServer.setSecureContext({ cert: tls.cert, key: tls.key });
 * @throws TlsError naming the file and what is wrong with it
 */
export async function loadTls({ tlsCert, tlsKey }: Pick<Config, "tlsCert" | "tlsKey">): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([read(tlsCert, "--tls-cert"), read(tlsKey, "--tls-key")]);
  let certificate: X509Certificate;
  try {
    // The first certificate of a chain (fullchain.pem) is the server's own.
    certificate = new X509Certificate(cert);
  } catch {
    throw new TlsError(`Invalid --tls-cert "${tlsCert}": expected a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsError(`Invalid --tls-key "${tlsKey}": expected an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsError(`Invalid --tls-key "${tlsKey}": it is not the key of --tls-cert "${tlsCert}"`);
  }
  return { cert, key, subject: certificate.subject.replace(/\n/g, ", "), validTo: new Date(certificate.validTo) };
}

async function read(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new TlsError(`Cannot read ${flag} "${path}": ${why}`);
  }
}

/**
 * What to log about a certificate just loaded: whom it names and until when,
 * louder when it is about to expire or has (browsers refuse an expired one).
 * @example
 * const { level, text } = certificateNotice(material, Date.now());
 * log[level](`TLS certificate ${text}`);
 */
export function certificateNotice({ subject, validTo }: TlsMaterial, now: number): { level: "info" | "warn" | "error"; text: string } {
  const text = `for ${subject}, valid until ${validTo.toISOString()}`;
  const days = (validTo.getTime() - now) / 86_400_000;
  if (days < 0) return { level: "error", text: `${text}: it has expired, browsers will refuse it` };
  if (days < 7) return { level: "warn", text: `${text}: ${Math.floor(days)} days left, renew it and send SIGHUP` };
  return { level: "info", text };
}
