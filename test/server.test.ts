/**
 * The server end to end: a real `createServer` on port 0 and real WebSocket
 * clients speaking the documented protocol (docs/PROTOCOL.md).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import { defaultRules } from "../src/safety/house-rules.ts";
import { Client, connect, identity, pair, PAYLOAD, refusedUpgrade, signal, socketUrl, stillServes } from "./support/client.ts";
import { ADDRESS, type RunningServer, withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

describe("matching", () => {
  test("when two visitors ask for a partner, then both are told at once with opposite roles", async (t) => {
    const server = await withServer(t);
    const a = await connect(t, server);
    const b = await connect(t, server);
    a.find();
    assert.deepEqual((await a.next("WAITING")).payload, { pool: "public" });
    b.find();
    const [ma, mb] = await Promise.all([a.next("MATCH"), b.next("MATCH")]);
    assert.deepEqual(ma.payload, { peer: b.id, role: "callee", pool: "public" });
    assert.deepEqual(mb.payload, { peer: a.id, role: "caller", pool: "public" });
  });

  test("when 200 visitors ask at once, then they form 100 distinct pairs", async (t) => {
    // From one address: its per-address limits are off here (test/safety-limits.test.ts tests them).
    const server = await withServer(t, { maxPerAddress: 0, identitiesPerMinute: 0 });
    const clients = await Promise.all(Array.from({ length: 200 }, () => connect(t, server)));
    for (const c of clients) c.find();
    const matches = await Promise.all(clients.map((c) => c.next("MATCH")));
    const partnerOf = new Map(clients.map((c, i) => [c.id, matches[i].payload!.peer!]));
    for (const [id, partner] of partnerOf) {
      assert.notEqual(partner, id);
      assert.equal(partnerOf.get(partner), id, "partners name each other");
    }
    const callers = matches.filter((m) => m.payload!.role === "caller").length;
    assert.equal(callers, 100, "one caller per pair");
    const stats = await (await fetch(`${server.origin}/api/stats`)).json();
    assert.deepEqual(stats, { online: 200, waiting: 0, processes: 1, process: { online: 200, waiting: 0 } });
  });

  test("when a paired visitor presses Next and a third waits, then it is paired with the third and the partner is told", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    const c = await connect(t, server);
    c.find();
    await c.next("WAITING");
    a.find(); // Next
    const [left, ma, mc] = await Promise.all([b.next("PARTNER-LEFT"), a.next("MATCH"), c.next("MATCH")]);
    assert.deepEqual(left.payload, { peer: a.id, reason: "next" });
    assert.equal(ma.payload!.peer, c.id);
    assert.equal(mc.payload!.peer, a.id);
    b.find();
    assert.deepEqual((await b.next("WAITING")).payload, { pool: "public" }, "the left partner can queue again");
  });

  test("when a visitor stops, then the partner is told and nobody is re-paired with it", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    a.send({ type: "STOP" });
    assert.deepEqual((await b.next("PARTNER-LEFT")).payload, { peer: a.id, reason: "stop" });
    b.find();
    await b.next("WAITING");
    assert.ok(await a.none("MATCH"));
  });

  test("when a visitor's socket is destroyed, then its partner is told within a second", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    const started = Date.now();
    a.ws.terminate(); // no close frame, like a killed browser
    const left = await b.next("PARTNER-LEFT", 1000);
    assert.deepEqual(left.payload, { peer: a.id, reason: "disconnect" });
    assert.ok(Date.now() - started < 1000);
    await waitFor(async () => (await (await fetch(`${server.origin}/api/stats`)).json()).online === 1);
  });

  test("when visitors name a private pool, then they match only each other", async (t) => {
    const server = await withServer(t);
    const [pub, bot1, bot2] = [await connect(t, server), await connect(t, server), await connect(t, server)];
    pub.find();
    await pub.next("WAITING");
    bot1.find("smoke-7f3a");
    assert.deepEqual((await bot1.next("WAITING")).payload, { pool: "smoke-7f3a" });
    bot2.find("smoke-7f3a");
    assert.equal((await bot2.next("MATCH")).payload!.peer, bot1.id);
    assert.ok(await pub.none("MATCH"));
  });
});

describe("signaling", () => {
  test("when a visitor signals its partner, then the partner receives it with src set", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    for (const type of ["OFFER", "ANSWER", "CANDIDATE", "LEAVE"] as const) {
      b.send(signal(type, a.id));
      const payload = PAYLOAD[type] === undefined ? {} : { payload: PAYLOAD[type] };
      assert.deepEqual(await a.next(type), { type, src: b.id, dst: a.id, ...payload });
    }
  });

  test("when a visitor signals someone who is not its partner, then it is dropped and the sender told", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    const c = await connect(t, server);
    for (const type of ["OFFER", "ANSWER", "CANDIDATE", "LEAVE"] as const) {
      c.send(signal(type, a.id));
      assert.equal((await c.next("REJECTED")).payload!.code, "not_partner");
    }
    assert.ok(await a.none("OFFER"));
    assert.ok(!a.frames.some((f) => ["ANSWER", "CANDIDATE", "LEAVE"].includes(f.type)));
  });

  test("when a visitor has pressed Next, then it can no longer signal the old partner", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    a.find();
    await b.next("PARTNER-LEFT");
    a.send(signal("OFFER", b.id));
    assert.equal((await a.next("REJECTED")).payload!.code, "not_partner");
    a.send({ type: "LEAVE", dst: b.id }); // the just-left partner may still be told we left
    assert.equal((await b.next("LEAVE")).src, a.id);
  });
});

describe("hardening", () => {
  test("when frames are malformed, then each is rejected, the server survives, and repeat offenders are closed", async (t) => {
    const server = await withServer(t);
    const a = await connect(t, server);
    const bad = ["{not json", "[1,2]", '"text"', '{"type":"EXPIRE","dst":"x"}', '{"type":"FIND","payload":{"pool":"a b"}}'];
    const codes = [];
    for (const frame of bad.slice(0, 4)) {
      a.send(frame);
      codes.push((await a.next("REJECTED")).payload!.code);
    }
    assert.deepEqual(codes, ["invalid_json", "invalid_message", "invalid_message", "unknown_type"]);
    a.send(bad[4]);
    assert.equal((await a.next("REJECTED")).payload!.code, "invalid_pool");
    assert.deepEqual(await a.closed, { code: 1008, reason: "too many malformed frames" });
    await stillServes(t, server);
  });

  test("when a binary frame arrives, then that socket is closed and others carry on", async (t) => {
    const server = await withServer(t);
    const a = await connect(t, server);
    a.ws.send(Buffer.from(JSON.stringify({ type: "FIND" })), { binary: true });
    assert.equal((await a.closed).code, 1003);
    assert.equal((await fetch(`${server.origin}/healthz`)).status, 200);
  });

  test("when a frame is larger than 64 KiB, then that socket is closed with 1009 and the server survives", async (t) => {
    const server = await withServer(t);
    const a = await connect(t, server);
    a.send({ type: "OFFER", dst: "x", payload: { sdp: "x".repeat(70 * 1024) } });
    assert.equal((await a.closed).code, 1009);
    await stillServes(t, server);
  });

  test("when a socket floods frames, then it is closed for policy violation", async (t) => {
    const server = await withServer(t);
    const a = await connect(t, server);
    for (let i = 0; i < 500; i++) a.send({ type: "HEARTBEAT" });
    assert.deepEqual(await a.closed, { code: 1008, reason: "rate limit exceeded" });
  });
});

describe("identity", () => {
  test("when a socket presents another visitor's id without its token, then the upgrade is refused", async (t) => {
    const server = await withServer(t);
    const victim = await identity(server);
    const thief = await identity(server);
    const refused = await refusedUpgrade(socketUrl(server, victim.id, thief.token));
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, "invalid_identity");
  });

  test("when an id is squatted before its owner connects, then the squatter is refused and the owner gets in", async (t) => {
    const server = await withServer(t);
    const owner = await identity(server);
    const guessed = await refusedUpgrade(socketUrl(server, owner.id, "forged-token"));
    assert.equal(guessed.status, 401);
    const unissued = await refusedUpgrade(socketUrl(server, "my-chosen-id", "anything"));
    assert.equal(unissued.status, 401);
    const ws = new WebSocket(socketUrl(server, owner.id, owner.token));
    t.after(() => ws.terminate());
    const client = new Client(ws, owner.id);
    await client.next("OPEN");
  });

  test("when a socket uses the wrong key or path, then it is refused before the handshake", async (t) => {
    const server = await withServer(t);
    const { id, token } = await identity(server);
    const wrongKey = socketUrl(server, id, token).replace("key=peerjs", "key=other");
    assert.equal((await refusedUpgrade(wrongKey)).status, 401);
    const wrongPath = socketUrl(server, id, token).replace("/signaling/peerjs", "/elsewhere");
    assert.equal((await refusedUpgrade(wrongPath)).status, 404);
  });
});

describe("country gate", () => {
  const blockedGb = { blockCountry: ["GB"], trustProxy: "loopback" };

  test("when a trusted proxy says the visitor is in a blocked country, then HTTP answers 403 country_blocked", async (t) => {
    const server = await withServer(t, blockedGb);
    const headers = { "X-Forwarded-For": ADDRESS.GB };
    for (const path of ["/api/identity", "/api/stats", "/api/config", "/signaling/peerjs/id"]) {
      const res = await fetch(`${server.origin}${path}`, { method: path === "/api/identity" ? "POST" : "GET", headers });
      assert.equal(res.status, 403, path);
      const body = await res.json();
      assert.equal(body.error, "country_blocked", path);
      assert.equal(body.country, "GB");
      assert.match(body.message, /not available in your country \(United Kingdom\)/);
    }
    assert.equal((await fetch(`${server.origin}/healthz`, { headers })).status, 200, "health checks stay open");
    assert.equal((await fetch(`${server.origin}/`, { headers })).status, 200, "the page explains the refusal");
  });

  test("when a trusted proxy says the visitor is in a blocked country, then the WebSocket upgrade is refused with 403", async (t) => {
    const server = await withServer(t, blockedGb);
    const { id, token } = await identity(server); // issued from loopback: no country, allowed
    const refused = await refusedUpgrade(socketUrl(server, id, token), { "X-Forwarded-For": ADDRESS.GB });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, "country_blocked");
    const admitted = await connect(t, server, { "X-Forwarded-For": ADDRESS.US });
    assert.ok(admitted.id);
  });

  test("when an untrusted peer sends X-Forwarded-For, then the header is ignored", async (t) => {
    const server = await withServer(t, { country: ["IN"], unknownCountry: "block" });
    const headers = { "X-Forwarded-For": ADDRESS.IN, "X-Real-IP": ADDRESS.IN, "X-Client-IP": ADDRESS.IN };
    assert.equal((await fetch(`${server.origin}/api/stats`, { headers })).status, 403);
    const { status } = await refusedUpgrade(socketUrl(server, "a", "b"), headers);
    assert.equal(status, 403);
  });

  test("when the unknown-country policy blocks, then loopback visitors are refused", async (t) => {
    const server = await withServer(t, { unknownCountry: "block" });
    const res = await fetch(`${server.origin}/api/identity`, { method: "POST" });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).reason, "unknown");
  });
});

describe("capacity and HTTP", () => {
  test("when max-clients is reached, then the next upgrade is refused with 503 before the handshake", async (t) => {
    const server = await withServer(t, { maxClients: 2 });
    await connect(t, server);
    const b = await connect(t, server);
    const { id, token } = await identity(server);
    const refused = await refusedUpgrade(socketUrl(server, id, token));
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error, "server_full");
    b.close();
    await b.closed;
    await waitFor(async () => (await (await fetch(`${server.origin}/api/stats`)).json()).online === 1);
    await connect(t, server);
  });

  test("when the API is asked, then it gives config, stats, and JSON errors", async (t) => {
    const server = await withServer(t, { path: "/rtc", stunUrl: "stun:stun.example.org", iceServers: [{ urls: "stun:more.example.org" }] });
    const config = await (await fetch(`${server.origin}/api/config`)).json();
    assert.deepEqual(config, {
      path: "/rtc/",
      key: "peerjs",
      iceServers: [{ urls: "stun:stun.example.org" }, { urls: "stun:more.example.org" }],
      maxMessageLength: 1000,
      relay: "unavailable",
      minAge: 18,
      rules: defaultRules(18),
      nextLimit: { burst: 10, perMinute: 30 },
      preferences: false,
    });
    assert.deepEqual(await (await fetch(`${server.origin}/api/stats`)).json(), {
      online: 0,
      waiting: 0,
      processes: 1,
      process: { online: 0, waiting: 0 },
    });
    const missing = await fetch(`${server.origin}/api/nothing`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error, "not_found");
    assert.equal((await fetch(`${server.origin}/signaling/peerjs/peers`)).status, 404, "old path is gone");
    assert.equal((await fetch(`${server.origin}/rtc/peerjs/peers`)).status, 401, "peer listing stays off");
    const html = await (await fetch(server.url)).text();
    assert.match(html, /<script id="config" type="application\/json">\{"path":"\/rtc\/"/);
  });
});
