/**
 * HTTPS and WSS served by `chatroulette serve` itself, with certificates
 * made by openssl here: the printed URL, verified connections, the smoke
 * bots over it, SIGHUP reloading a renewed certificate without dropping
 * sockets, and unusable files refused at start and at reload.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { WebSocket } from "ws";
import { type CliRun, runCli } from "./support/cli.ts";
import { certificateNotice } from "../src/http/tls.ts";
import { Client } from "./support/client.ts";
import { certificates, fetchTrusting, type Pem, servedName } from "./support/tls.ts";
import { waitFor } from "./support/wait.ts";

/** A signaling socket over WSS, trusting only `ca`, open and greeted. */
async function wss(t: TestContext, url: string, ca: Buffer): Promise<Client> {
  const { id, token } = JSON.parse((await fetchTrusting(`${url}api/identity`, ca, "POST")).body);
  const ws = new WebSocket(`${url.replace("https", "wss")}signaling/peerjs?key=peerjs&id=${id}&token=${token}`, { ca });
  t.after(() => ws.terminate());
  const client = new Client(ws, id);
  await client.next("OPEN");
  return client;
}

function serveTls(t: TestContext, pem: Pem, flags: string[] = []): CliRun {
  return runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1", "--tls-cert", pem.cert, "--tls-key", pem.key, ...flags], "node", {
    CHATROULETTE_STUN_URL: "none",
  });
}

describe("HTTPS served directly", () => {
  test("when started with a certificate made by openssl, then it prints an https URL and serves HTTPS and WSS verified against it", async (t) => {
    const { pem } = certificates(t, "chat");
    const run = serveTls(t, pem.chat);
    const url = await run.url;
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const ca = readFileSync(pem.chat.cert);
    assert.deepEqual(await fetchTrusting(`${url}healthz`, ca), { status: 200, body: "ok" });
    const page = await fetchTrusting(url, ca);
    assert.match(page.body, /<script id="config"/);
    const client = await wss(t, url, ca);
    client.find();
    await client.next("WAITING");
    // The smoke bots, over the server's own TLS: a self-signed certificate needs --insecure.
    const refused = await runCli(t, ["smoke", url, "--json"]).exit;
    assert.equal(refused.code, 2);
    assert.match(refused.stdout, /self-signed\? try --insecure/);
    const smoke = await runCli(t, ["smoke", url, "--insecure", "--pairs", "2"]).exit;
    assert.equal(smoke.code, 0, smoke.stdout);
  });

  test("when SIGHUP follows a renewal, then new connections get the new certificate, open sockets stay, and unusable files are logged and ignored", async (t) => {
    const { dir, pem } = certificates(t, "before", "after");
    const live = { cert: join(dir, "live.crt"), key: join(dir, "live.key") };
    copyFileSync(pem.before.cert, live.cert);
    copyFileSync(pem.before.key, live.key);
    const run = serveTls(t, live, ["--log-level", "info"]);
    const port = Number(new URL(await run.url).port);
    assert.equal(await servedName(port), "before");
    const open = await wss(t, await run.url, readFileSync(pem.before.cert));
    const logs = { text: "" };
    run.child.stderr!.on("data", (chunk) => logs.text += chunk);

    copyFileSync(pem.after.cert, live.cert);
    copyFileSync(pem.after.key, live.key);
    run.child.kill("SIGHUP");
    await waitFor(() => /reloaded the TLS certificate for CN=after/.test(logs.text));
    assert.equal(await servedName(port), "after");
    open.find();
    await open.next("WAITING"); // the socket opened with the old certificate is still there

    writeFileSync(live.cert, "not a certificate\n");
    run.child.kill("SIGHUP");
    await waitFor(() => /TLS reload failed, keeping the old certificate: Invalid --tls-cert ".*live\.crt": expected a PEM certificate/.test(logs.text));
    copyFileSync(pem.before.cert, live.cert); // and the key is still "after": a pair that does not match
    run.child.kill("SIGHUP");
    await waitFor(() => /TLS reload failed, keeping the old certificate: Invalid --tls-key ".*live\.key": it is not the key of --tls-cert/.test(logs.text));
    assert.equal(await servedName(port), "after");
    assert.equal(run.child.exitCode, null, "still serving");
    open.send({ type: "STOP" });
    open.find("still-here");
    await open.next("WAITING");
  });

  test("when the certificate or key cannot be used at start, then it exits 2 with one line naming the file", async (t) => {
    const { dir, pem } = certificates(t, "one", "two");
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
    for (const [cert, key, pattern] of [
      [join(dir, "missing.crt"), pem.one.key, /^chatroulette: Cannot read --tls-cert ".*missing\.crt": file not found$/],
      [garbage, pem.one.key, /^chatroulette: Invalid --tls-cert ".*garbage\.pem": expected a PEM certificate/],
      [pem.one.cert, garbage, /^chatroulette: Invalid --tls-key ".*garbage\.pem": expected an unencrypted PEM private key/],
      [pem.one.cert, pem.two.key, /^chatroulette: Invalid --tls-key ".*two\.key": it is not the key of --tls-cert ".*one\.crt"$/],
    ] as const) {
      const { code, stdout, stderr } = await serveTls(t, { cert, key }).exit;
      assert.equal(code, 2, stderr);
      assert.equal(stdout, "");
      assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
      assert.match(stderr.trimEnd(), pattern);
    }
  });

  test("when a certificate is loaded, then the log says until when, louder within a week of expiry and once expired", () => {
    const material = { cert: Buffer.alloc(0), key: Buffer.alloc(0), subject: "CN=chat", validTo: new Date("2027-01-31T00:00:00Z") };
    const at = (iso: string) => certificateNotice(material, Date.parse(iso));
    assert.deepEqual(at("2027-01-01T00:00:00Z"), { level: "info", text: "for CN=chat, valid until 2027-01-31T00:00:00.000Z" });
    assert.equal(at("2027-01-27T00:00:00Z").level, "warn");
    assert.match(at("2027-01-27T00:00:00Z").text, /: 4 days left, renew it and send SIGHUP$/);
    assert.deepEqual(at("2027-02-01T00:00:00Z").level, "error");
  });
});
