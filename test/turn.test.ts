/**
 * Short-lived TURN credentials against Debian's coturn, started here on
 * loopback with the TURN REST API secret: what POST /api/identity hands out
 * is the HMAC coturn computes, coturn grants a relay with it, and refuses it
 * once expired or for another user. The relay is asked for by a real WebRTC
 * stack (@roamhq/wrtc, as the smoke bots use): a relay candidate appears
 * only when coturn accepted the credentials.
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type Coturn, coturnMissing, startCoturn } from "../dev/coturn.ts";
import { runCli } from "./support/cli.ts";
import { pair, refusedUpgrade, signal, socketUrl } from "./support/client.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";
import { relayCandidates } from "./support/wrtc.ts";

const missing = coturnMissing();

interface IdentityWithTurn {
  id: string;
  token: string;
  iceServers: Array<{ urls: string[]; username: string; credential: string }>;
  expiresIn: number;
}

async function identityOf(origin: string): Promise<IdentityWithTurn> {
  const res = await fetch(`${origin}/api/identity`, { method: "POST" });
  assert.equal(res.status, 201);
  return await res.json() as IdentityWithTurn;
}

describe("TURN credentials with coturn", { skip: missing ?? false }, () => {
  let turn: Coturn;
  before(async () => {
    turn = await startCoturn();
  });
  after(() => turn?.stop());

  test("when TURN is configured, then each identity carries its own credentials, the HMAC coturn computes, and coturn relays with them", async (t) => {
    const server = await withServer(t, { turnUrl: turn.url, turnSecret: turn.secret, turnTtl: "30m", stunUrl: "stun:127.0.0.1:9" });
    const before = Math.floor(Date.now() / 1000);
    const identity = await identityOf(server.origin);
    assert.equal(identity.expiresIn, 1800);
    assert.deepEqual(identity.iceServers[0], { urls: "stun:127.0.0.1:9" }, "the static servers come first");
    const entry = identity.iceServers[1];
    assert.deepEqual(entry.urls, [turn.url]);
    const [expiry, user] = entry.username.split(":");
    assert.equal(user, identity.id, "the username names the visitor");
    assert.ok(Number(expiry) >= before + 1800 && Number(expiry) <= Math.ceil(Date.now() / 1000) + 1800, entry.username);
    assert.equal(entry.credential, createHmac("sha1", turn.secret).update(entry.username).digest("base64"));
    const other = await identityOf(server.origin);
    assert.notEqual(other.iceServers[1].username, entry.username, "every visitor has their own");

    const relayed = await relayCandidates([entry]);
    assert.ok(relayed.length > 0, "coturn granted a relay");
    assert.ok(relayed.every((c) => / typ relay raddr 0\.0\.0\.0 rport 0/.test(c)), relayed.join("\n"));
    const config = await (await fetch(`${server.origin}/api/config`)).json();
    assert.equal(config.relay, "optional");
    assert.ok(!JSON.stringify(config).includes("turn:"), "the page's config holds no TURN server: identities bring it");
  });

  test("when credentials have expired, or name another visitor, then coturn refuses them", async (t) => {
    // A server whose clock runs two hours behind issues credentials that expired an hour ago.
    const server = await withServer(t, { turnUrl: turn.url, turnSecret: turn.secret, turnTtl: "1h" }, { now: () => Date.now() - 2 * 3600_000 });
    const expired = (await identityOf(server.origin)).iceServers.at(-1)!;
    assert.ok(Number(expired.username.split(":")[0]) < Date.now() / 1000);
    assert.deepEqual(await relayCandidates([expired]), []);

    const fresh = await withServer(t, { turnUrl: turn.url, turnSecret: turn.secret });
    const good = (await identityOf(fresh.origin)).iceServers.at(-1)!;
    const [expiry] = good.username.split(":");
    assert.deepEqual(await relayCandidates([{ ...good, username: `${expiry}:someone-else` }]), [], "a credential is only good for its username");
    assert.deepEqual(await relayCandidates([{ ...good, username: `${Number(expiry) + 86400}:${good.username.split(":")[1]}` }]), [], "nor for a later expiry");
    assert.ok((await relayCandidates([good])).length > 0, "while the real one works");
  });

  test("when the server is --relay-only, then the page is told so and gets no STUN server", async (t) => {
    const server = await withServer(t, { turnUrl: turn.url, turnSecret: turn.secret, relayOnly: true, stunUrl: "stun:127.0.0.1:9" });
    const config = await (await fetch(`${server.origin}/api/config`)).json();
    assert.equal(config.relay, "forced");
    assert.deepEqual(config.iceServers, []);
    const identity = await identityOf(server.origin);
    assert.deepEqual(identity.iceServers.map((s) => s.urls), [[turn.url]]);
  });
});

describe("the TURN secret", () => {
  test("when a real serve issues credentials, then the secret is in no response body, frame, or line it prints", async (t) => {
    const secret = `${randomBytes(24).toString("hex")}-never-shown`;
    const run = runCli(t, [
      "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "debug", "--metrics-port", "0",
      "--turn-url", "turn:127.0.0.1:3478?transport=udp", "--relay-only",
    ], "node", { CHATROULETTE_TURN_SECRET: secret, CHATROULETTE_STUN_URL: "none" });
    const url = await run.url;
    const server = { url, port: Number(new URL(url).port), origin: url.replace(/\/$/, "") };
    const seen: string[] = [];
    const body = async (path: string, init?: RequestInit) => {
      const res = await fetch(new URL(path, url), init);
      seen.push(`${path} ${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
    };
    const page = await (await fetch(url)).text();
    seen.push(page);
    for (const asset of page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) await body(asset[1]);
    for (const path of ["api/config", "api/stats", "healthz", "readyz", "metrics", "nothing-here", "signaling/peerjs/id"]) await body(path);
    await body("api/identity", { method: "POST" });
    await body("api/identity", { method: "POST", body: "x".repeat(10_000) });
    const [a, b] = await pair(t, server);
    a.send(signal("OFFER", b.id));
    await b.next("OFFER");
    a.send("{broken");
    await a.next("REJECTED");
    seen.push(JSON.stringify([...a.frames, ...b.frames]));
    seen.push(JSON.stringify(await refusedUpgrade(socketUrl(server, a.id, "forged"))));
    const metricsUrl = await waitFor(() => /metrics on (\S+)/.exec(run.output().stdout)?.[1] ?? "");
    await body(metricsUrl);
    run.child.kill("SIGHUP");
    run.child.kill("SIGTERM");
    const { code, stdout, stderr } = await run.exit;
    assert.equal(code, 0);
    assert.match(stderr, / debug /, "the most talkative log level was on");
    assert.ok(seen.join("").includes("credential"), "credentials were issued");
    for (const [where, text] of [["responses and frames", seen.join("\n")], ["stdout", stdout], ["stderr", stderr]]) {
      assert.ok(!text.includes(secret), `the secret appears in ${where}`);
      assert.ok(!text.includes(secret.slice(0, 16)), `part of the secret appears in ${where}`);
    }
  });
});
