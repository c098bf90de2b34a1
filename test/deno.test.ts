/**
 * The same CLI under Deno (deno from npm): start on port 0, serve, pair two
 * sockets through the upgrade gate, stop on SIGTERM; HTTPS, metrics and
 * SIGHUP reload; share a pool with a Node process through Redis; bad flags
 * and a mismatched TLS key exit 2.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import { redisMissing, startRedis } from "../dev/redis.ts";
import { cliCommand, runCli } from "./support/cli.ts";
import { Client, signal } from "./support/client.ts";
import { certificates, fetchTrusting, servedName } from "./support/tls.ts";
import { waitFor } from "./support/wait.ts";

const deno = cliCommand("deno")[0];
const missing = existsSync(deno) ? await redisMissing() : `no Deno at ${deno} (npm install)`;
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

/** Gets an identity from `issuer` and opens a socket on `url` (both printed `serve` URLs). */
async function visitor(t: { after(fn: () => void): void }, url: string, issuer = url): Promise<Client> {
  const { id, token } = await (await fetch(`${issuer}api/identity`, { method: "POST" })).json();
  const client = new Client(new WebSocket(`${url.replace("http", "ws")}signaling/peerjs?key=peerjs&id=${id}&token=${token}`), id);
  t.after(() => client.ws.terminate());
  await client.next("OPEN", 10_000);
  return client;
}

describe("chatroulette serve (Deno)", { skip: missing ?? false }, () => {
  test("when started on port 0 under Deno, then it serves, pairs two visitors, and exits 0 on SIGTERM", async (t) => {
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"], "deno");
    const url = await run.url;
    assert.equal((await fetch(`${url}healthz`)).status, 200);
    const clients = await Promise.all([0, 1].map(async () => {
      const { id, token } = await (await fetch(`${url}api/identity`, { method: "POST" })).json();
      const client = new Client(new WebSocket(`${url.replace("http", "ws")}signaling/peerjs?key=peerjs&id=${id}&token=${token}`), id);
      t.after(() => client.ws.terminate());
      await client.next("OPEN");
      return client;
    }));
    for (const c of clients) c.find();
    const [m0, m1] = await Promise.all(clients.map((c) => c.next("MATCH")));
    assert.equal(m0.payload!.peer, clients[1].id);
    assert.equal(m1.payload!.peer, clients[0].id);
    const page = await (await fetch(url)).text();
    const script = page.match(/src="(\/assets\/app-[^"]+\.js)"/)![1];
    assert.equal((await fetch(`${url}${script.slice(1)}`)).status, 200, "the page's bundle is built under Deno too");
    run.child.kill("SIGTERM");
    assert.equal((await run.exit).code, 0);
  });

  test("when a Deno and a Node process share Redis (--redis), then visitors on each are paired and signal each other", async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const secret = "deno-and-node-share-this-secret-0123456789";
    const flags = ["serve", "--port", "0", "--host", "127.0.0.1", "--redis", redis.url];
    const env = { CHATROULETTE_SECRET: secret, CHATROULETTE_ICE_SERVERS: "[]" };
    const [onDeno, onNode] = await Promise.all([runCli(t, flags, "deno", env).url, runCli(t, flags, "node", env).url]);
    const a = await visitor(t, onDeno, onNode);
    const b = await visitor(t, onNode);
    a.find();
    await a.next("WAITING");
    b.find();
    const [ma, mb] = await Promise.all([a.next("MATCH"), b.next("MATCH")]);
    assert.deepEqual([ma.payload!.peer, mb.payload!.peer], [b.id, a.id]);
    b.send(signal("OFFER", a.id));
    assert.equal((await a.next("OFFER")).src, b.id, "relayed from Node to Deno over Redis");
    a.send(signal("ANSWER", b.id));
    assert.equal((await b.next("ANSWER")).src, a.id, "and back");
    await waitFor(async () => (await (await fetch(`${onDeno}api/stats`)).json()).processes === 2, { timeout: 3000 });
  });

  test("when serving HTTPS under Deno, then WSS works, metrics are served, and SIGHUP reloads the certificate", async (t) => {
    const { dir, pem } = certificates(t, "first", "second");
    const live = { cert: join(dir, "live.crt"), key: join(dir, "live.key") };
    copyFileSync(pem.first.cert, live.cert);
    copyFileSync(pem.first.key, live.key);
    const run = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1", "--tls-cert", live.cert, "--tls-key", live.key, "--metrics-port", "0"], "deno");
    const url = await run.url;
    assert.match(url, /^https:/);
    const ca = readFileSync(pem.first.cert);
    const { id, token } = JSON.parse((await fetchTrusting(`${url}api/identity`, ca, "POST")).body);
    const client = new Client(new WebSocket(`${url.replace("https", "wss")}signaling/peerjs?key=peerjs&id=${id}&token=${token}`, { ca }), id);
    t.after(() => client.ws.terminate());
    await client.next("OPEN");
    await waitFor(() => /metrics on (\S+)/.test(run.output().stdout));
    const metrics = await fetch(/metrics on (\S+)/.exec(run.output().stdout)![1]);
    assert.match(await metrics.text(), /^chatroulette_visitors_online 1$/m);
    copyFileSync(pem.second.cert, live.cert);
    copyFileSync(pem.second.key, live.key);
    run.child.kill("SIGHUP");
    const port = Number(new URL(url).port);
    await waitFor(async () => await servedName(port) === "second", { timeout: 5000, interval: 100 });
    client.find();
    await client.next("WAITING");
    run.child.kill("SIGTERM");
    assert.equal((await run.exit).code, 0);
  });

  test("when given a bad flag under Deno, then it exits 2 with one line", async (t) => {
    const { code, stderr } = await runCli(t, ["serve", "--country", "INDIA"], "deno").exit;
    assert.equal(code, 2);
    assert.match(stderr.trim(), /^chatroulette: Invalid --country "INDIA": expected ISO 3166-1 alpha-2 codes/);
  });

  // Deno's createSecureContext takes a mismatched pair without a word and then fails every handshake (src/http/tls.ts).
  test("when the TLS key is not the certificate's under Deno, then it exits 2 with one line rather than serving broken HTTPS", async (t) => {
    const { pem } = certificates(t, "one", "two");
    const { code, stdout, stderr } = await runCli(t, ["serve", "--port", "0", "--tls-cert", pem.one.cert, "--tls-key", pem.two.key], "deno").exit;
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.match(stderr.trimEnd(), /^chatroulette: Invalid --tls-key ".*two\.key": it is not the key of --tls-cert ".*one\.crt"$/);
  });
});
