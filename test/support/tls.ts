/**
 * TLS for the tests: self-signed certificates for 127.0.0.1 made by openssl,
 * the name a server's certificate shows, and HTTPS requests that trust only a
 * given certificate.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { connect as tlsConnect } from "node:tls";

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

/** A folder of self-signed certificates for 127.0.0.1, one per name, made by openssl. */
export function certificates(t: TestContext, ...names: string[]): { dir: string; pem: Record<string, Pem> } {
  const dir = mkdtempSync(join(tmpdir(), "chatroulette-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem: Record<string, Pem> = {};
  for (const name of names) {
    const [cert, key] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", `/CN=${name}`, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
    ], { stdio: "ignore" });
    pem[name] = { cert, key };
  }
  return { dir, pem };
}

/** The CN of the certificate a new TLS connection to `port` is shown. */
export function servedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN));
      socket.end();
    });
    socket.on("error", reject);
  });
}

/** GET over HTTPS, trusting only `ca`. */
export function fetchTrusting(url: string, ca: Buffer, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, method }, (res) => {
      let body = "";
      res.on("data", (chunk) => body += chunk);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}
