/**
 * Servers that share one Redis (here, two in this process, each on a
 * database of its own per test) behave as one: identities, pairs, signaling,
 * Next and stats cross between them; a reconnect with the same id keeps its
 * place; and an outage is told to visitors and recovered from.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test, type TestContext } from "node:test";
import { createClient } from "@redis/client";
import { WebSocket } from "ws";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { Client, connect, identity, match, signal, socketUrl } from "./support/client.ts";
import { type RunningServer, withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

export const SECRET = "test-secret-shared-by-every-process-0123456789";
let redis: RedisServer;
let database = 0;

/** Two servers on one Redis database of their own. */
async function cluster(t: TestContext, url = `${redis.url}/${++database}`): Promise<RunningServer[]> {
  // No challenges: every visitor here comes from 127.0.0.1, which a report makes suspect.
  const options = { redis: url, secret: SECRET, challenge: "off" } as const;
  return [await withServer(t, options), await withServer(t, options)];
}

/** A visitor whose identity comes from `issuer` and whose socket is on `server`. */
async function visitor(t: TestContext, server: RunningServer, issuer = server): Promise<Client> {
  const { id, token } = await identity(issuer);
  const client = new Client(new WebSocket(socketUrl(server, id, token)), id, token);
  t.after(() => client.ws.terminate());
  await client.next("OPEN");
  return client;
}

/** Another socket of the same visitor, on `server`. */
async function reopen(t: TestContext, server: RunningServer, same: Client): Promise<Client> {
  const client = new Client(new WebSocket(socketUrl(server, same.id, same.token)), same.id, same.token);
  t.after(() => client.ws.terminate());
  await client.next("OPEN");
  return client;
}

/** Resolves when the server has closed `client`'s socket; fails after `ms` (a heartbeat timeout would take 30 s). */
async function closedSoon(client: Client, ms = 5000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(`${client.id}: its socket still open after ${ms} ms`)), ms));
  try {
    await Promise.race([client.closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Visitor a on the first server paired with b (on the server `bOn`), then a's
 * socket back on the second server mid-call, its old one closed: a network
 * change behind a load balancer.
 */
async function backMidCall(t: TestContext, bOn: 0 | 1) {
  const servers = await cluster(t);
  const a = await visitor(t, servers[0]);
  const b = await visitor(t, servers[bOn]);
  await match(a, b);
  // The page's old socket is not closed: the server learns of the network change from the new one.
  const back = await reopen(t, servers[1], a);
  await closedSoon(a); // the old socket, on the first server
  return { a, b, back };
}

const stats = async (server: RunningServer) => await (await fetch(`${server.origin}/api/stats`)).json();

before(async () => {
  if (!missing) redis = await startRedis();
});
after(() => redis?.stop());

describe("servers sharing Redis", { skip: missing ?? false }, () => {
  test("when visitors are on two servers, then one's identity works on the other, they are paired, and signaling crosses", async (t) => {
    const [one, two] = await cluster(t);
    const a = await visitor(t, two, one);
    const b = await visitor(t, one);
    const [ma, mb] = await match(a, b);
    assert.deepEqual([ma.payload.peer, mb.payload.peer, mb.payload.role], [b.id, a.id, "caller"]);
    b.send(signal("OFFER", a.id));
    const offer = await a.next("OFFER");
    assert.equal(offer.src, b.id);
    a.send(signal("ANSWER", b.id));
    assert.equal((await b.next("ANSWER")).src, a.id);
    b.send(signal("RESTART", a.id));
    assert.equal((await a.next("RESTART")).src, b.id, "an ICE restart crosses too");
    const c = await visitor(t, one);
    c.send(signal("OFFER", a.id));
    assert.equal((await c.next("REJECTED")).payload.code, "not_partner");
    assert.ok(await a.none("OFFER"), "a stranger's offer never arrives");
  });

  test("when visitors on two servers share an interest, then they are paired on it; when one reports the other, then the report is taken and they are kept apart", async (t) => {
    const [one, two] = await cluster(t);
    const a = await visitor(t, one);
    const b = await visitor(t, two);
    const chess = { type: "FIND", payload: { interests: ["chess"] } };
    a.send(chess);
    await a.next("WAITING");
    b.send(chess);
    const [ma, mb] = await Promise.all([a.next("MATCH"), b.next("MATCH")]);
    assert.deepEqual([ma.payload.interests, mb.payload.interests], [["chess"], ["chess"]]);
    // The partner's socket is on the other server: its address key came with the match.
    a.send({ type: "REPORT", payload: { peer: b.id, reason: "spam" } });
    assert.equal((await a.next("REPORTED")).payload.peer, b.id);
    assert.equal((await b.next("PARTNER-LEFT")).payload.peer, a.id);
    b.send(chess);
    await b.next("WAITING");
    assert.ok(await a.none("MATCH"), "the reporter, searching again, is not paired with the one it reported");
    const c = await visitor(t, two);
    c.send(chess);
    assert.ok([a.id, b.id].includes((await c.next("MATCH")).payload.peer), "a newcomer is paired with either");
  });

  test("when a visitor's socket comes back on the other server mid-call (a network change behind a load balancer), then it keeps its partner: ICE restarts cross, the partner is not told it left, and the old socket is closed", async (t) => {
    const { a, b, back } = await backMidCall(t, 1);
    back.send(signal("RESTART", b.id));
    assert.equal((await b.next("RESTART")).src, a.id, "its ICE restart reaches the partner");
    b.send(signal("RESTART", a.id));
    assert.equal((await back.next("RESTART")).src, b.id, "and the partner's answer reaches its new socket");
    // The pair is still the store's: Next from the new socket tells the partner.
    back.find();
    assert.deepEqual((await b.next("PARTNER-LEFT")).payload, { peer: a.id, reason: "next" });
    assert.ok(!b.frames.some((f) => f.type === "PARTNER-LEFT"), "the partner was told once, by that Next, not by the move");
  });

  test("when a visitor's partner leaves while its socket is away, and it comes back on the other server, then it is told there", async (t) => {
    const [one, two] = await cluster(t);
    const a = await visitor(t, one);
    const b = await visitor(t, two);
    await match(a, b);
    b.send({ type: "STOP" }); // told to a's old socket, which nobody reads any more
    await a.next("PARTNER-LEFT");
    const back = await reopen(t, two, a);
    assert.deepEqual((await back.next("PARTNER-LEFT")).payload, { peer: b.id, reason: "disconnect" });
  });

  test("when a visitor who came back on the other server reports its partner, then the report is taken, the partner is told, and it looks for the next", async (t) => {
    const { a, b, back } = await backMidCall(t, 0);
    b.send(signal("RESTART", a.id));
    await back.next("RESTART"); // the second server takes b for a's partner
    back.send({ type: "REPORT", payload: { peer: b.id, reason: "spam" } });
    assert.equal((await back.next("REPORTED")).payload.peer, b.id);
    assert.deepEqual((await b.next("PARTNER-LEFT")).payload, { peer: a.id, reason: "next" });
    await back.next("WAITING");
  });

  test("when a visitor's old socket asks for a stranger just after its new one opened on the other server, then no visitor without a socket is left in the pool", async (t) => {
    const [one, two] = await cluster(t);
    const a = await visitor(t, one);
    a.find("before");
    await a.next("WAITING");
    await reopen(t, two, a);
    // The old socket, not yet closed, asks: that FIND takes the visitor back to the first server, with no socket of its own to come.
    a.find("ghost");
    await closedSoon(a);
    const c = await visitor(t, one);
    c.find("ghost");
    await c.next("WAITING");
    assert.ok(!c.frames.some((f) => f.type === "MATCH"), "nobody is paired with a visitor whose socket is gone");
  });

  test("when a visitor comes back on the other server and at once on the first again, then its latest socket stays, keeps the partner, and the partner is not told it left", async (t) => {
    const [one, two] = await cluster(t);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    t.after(() => admin.close());
    const a = await visitor(t, one);
    const b = await visitor(t, two);
    await match(a, b);
    // Redis holds both claims, so the second socket on the first server opens before the claim of the one on the other is heard there.
    await admin.clientPause(300, "WRITE");
    const there = await reopen(t, two, a);
    const again = await reopen(t, one, a);
    await Promise.all([closedSoon(a), closedSoon(there)]);
    b.send(signal("RESTART", a.id));
    assert.equal((await again.next("RESTART")).src, b.id, "the latest socket keeps the partner");
    again.send(signal("RESTART", b.id));
    assert.equal((await b.next("RESTART")).src, a.id);
    assert.ok(!b.frames.some((f) => f.type === "PARTNER-LEFT"), "the partner was never told it left");
    assert.equal(again.ws.readyState, WebSocket.OPEN);
  });

  test("when a visitor back on the other server asks for a stranger before the store has moved its partner there, then leaving that partner so costs a Next", async (t) => {
    const options = { redis: `${redis.url}/${++database}`, secret: SECRET, challenge: "off", nextBurst: 1, nextPerMinute: 1 } as const;
    const [one, two] = [await withServer(t, options), await withServer(t, options)];
    const admin = createClient({ url: redis.url });
    await admin.connect();
    t.after(() => admin.close());
    const [a, b, c] = [await visitor(t, one), await visitor(t, two), await visitor(t, two)];
    await match(a, b);
    c.find();
    await c.next("WAITING");
    // Redis holds the claim's answer, so the second server takes this FIND before it knows of b.
    await admin.clientPause(300, "WRITE");
    const back = await reopen(t, two, a);
    back.find();
    assert.deepEqual((await b.next("PARTNER-LEFT")).payload, { peer: a.id, reason: "next" });
    assert.equal((await back.next("MATCH")).payload.peer, c.id);
    back.find(); // a second leave within the minute: past the burst of 1
    assert.equal((await back.next("REJECTED")).payload.code, "rate_limited");
    assert.ok(!c.frames.some((f) => f.type === "PARTNER-LEFT"), "the pair with c stays");
  });

  test("when a visitor presses Next with someone waiting on the other server, then its partner is told and it gets the one waiting", async (t) => {
    const [one, two] = await cluster(t);
    const a = await visitor(t, one);
    const b = await visitor(t, two);
    const c = await visitor(t, two);
    await match(a, b);
    c.find();
    await c.next("WAITING");
    a.find(); // Next
    const [left, next] = await Promise.all([b.next("PARTNER-LEFT"), a.next("MATCH")]);
    assert.deepEqual(left.payload, { peer: a.id, reason: "next" });
    assert.equal(next.payload.peer, c.id);
    b.send(signal("LEAVE", a.id));
    assert.equal((await a.next("LEAVE")).src, b.id, "LEAVE still reaches the one just left");
  });

  test("when stats are asked of either server, then they count the whole cluster and that server's share", async (t) => {
    const [one, two] = await cluster(t);
    const a = await visitor(t, one);
    await visitor(t, two);
    await visitor(t, two);
    a.find();
    await a.next("WAITING");
    const want = (online: number, waiting: number) => ({ online: 3, waiting: 1, processes: 2, process: { online, waiting } });
    await waitFor(async () => JSON.stringify(await stats(one)) === JSON.stringify(want(1, 1)), { timeout: 3000 });
    await waitFor(async () => JSON.stringify(await stats(two)) === JSON.stringify(want(2, 0)), { timeout: 3000 });
  });

  test("when a visitor reconnects with the same id while its old socket's commands are held up, then its new place in the queue stands", async (t) => {
    const [server] = await cluster(t);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    t.after(() => admin.close());
    const { id, token } = await identity(server);
    const open = async () => {
      const client = new Client(new WebSocket(socketUrl(server, id, token)), id);
      t.after(() => client.ws.terminate());
      await client.next("OPEN");
      return client;
    };
    const old = await open();
    old.find("p");
    await old.next("WAITING");
    // Redis holds every script for a moment: the old socket's FIND is still
    // out when it closes, so its disconnect waits behind it.
    await admin.clientPause(600, "WRITE");
    old.find("p");
    old.close();
    await old.closed;
    const renewed = await waitFor(() => open().catch(() => null), { timeout: 3000 });
    renewed.find("p");
    await renewed.next("WAITING", 5000);
    const other = await connect(t, server);
    other.find("p");
    assert.equal((await other.next("MATCH", 5000)).payload.peer, id, "the reconnected visitor was still waiting");
  });

  test("when a server on Redis sits idle past its connections' 3 s silence limit, then it stays ready and keeps admitting visitors", async (t) => {
    // Failed before the safety store's link stopped idling: every 3 s it timed out, and identities got 503.
    const [server] = await cluster(t);
    const statuses = new Set<number>();
    for (const end = Date.now() + 4500; Date.now() < end;) {
      statuses.add((await fetch(`${server.origin}/readyz`)).status);
      statuses.add((await fetch(`${server.origin}/api/identity`, { method: "POST" })).status);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    assert.deepEqual([...statuses].sort(), [200, 201]);
  });

  test("when Redis is down at start, then the server still starts, not ready, and admits visitors once Redis is up", async (t) => {
    const own = await startRedis();
    t.after(() => own.stop());
    await own.stop();
    const started = Date.now();
    const [server] = [await withServer(t, { redis: own.url, secret: SECRET })];
    assert.ok(Date.now() - started < 8000, "listen() does not wait for Redis for ever");
    assert.equal((await fetch(`${server.origin}/readyz`)).status, 503);
    // Bans and limits cannot be checked: no identity yet, refused clearly (the page retries).
    assert.equal((await fetch(`${server.origin}/api/identity`, { method: "POST" })).status, 503);
    await own.start();
    await waitFor(async () => (await fetch(`${server.origin}/readyz`)).status === 200, { timeout: 10_000 });
    // The safety store's connection comes back on its own backoff (≤ 2 s).
    await waitFor(async () => (await fetch(`${server.origin}/api/identity`, { method: "POST" })).status === 201, { timeout: 10_000 });
    const a = await visitor(t, server);
    a.find();
    await a.next("WAITING");
  });

  test("when Redis goes away mid-call and a visitor's socket is closed for it, then that is not counted as its Next: back after, its FIND is taken", async (t) => {
    const own = await startRedis();
    t.after(() => own.stop());
    const server = await withServer(t, { redis: own.url, secret: SECRET, challenge: "off", nextBurst: 1, nextPerMinute: 1 });
    const [a, x, b] = [await visitor(t, server), await visitor(t, server), await visitor(t, server)];
    await match(a, x);
    b.find();
    await b.next("WAITING");
    a.find(); // Next, to b: its one token, spent
    assert.equal((await a.next("MATCH")).payload.peer, b.id);
    await own.stop();
    await waitFor(async () => (await fetch(`${server.origin}/readyz`)).status === 503);
    // Any command that needs the store closes the socket while the call goes on: a report of the last stranger.
    a.send({ type: "REPORT", payload: { peer: x.id, reason: "spam" } });
    assert.equal((await a.closed).code, 1013);
    await own.start();
    await waitFor(async () => (await fetch(`${server.origin}/readyz`)).status === 200, { timeout: 10_000 });
    const back = await reopen(t, server, a);
    back.find();
    await back.next("WAITING");
  });

  test("when Redis goes away, then visitors are told and refused clearly, /readyz says 503, and once it is back they pair again", async (t) => {
    const own = await startRedis();
    t.after(() => own.stop());
    const [one, two] = await cluster(t, own.url);
    const a = await visitor(t, one);
    assert.equal((await fetch(`${one.origin}/readyz`)).status, 200);
    await own.stop();
    await waitFor(async () => (await fetch(`${one.origin}/readyz`)).status === 503);
    const ready = await (await fetch(`${one.origin}/readyz`)).json();
    assert.equal(ready.error, "unavailable");
    a.find();
    assert.deepEqual(await a.closed, { code: 1013, reason: "matchmaking is unavailable; reconnect in a moment" });
    // Bans and limits cannot be checked either: no new identity, and the page retries.
    const refused = await fetch(`${two.origin}/api/identity`, { method: "POST" });
    assert.equal(refused.status, 503);
    assert.equal((await refused.json()).error, "unavailable");
    await own.start();
    await waitFor(async () => (await fetch(`${one.origin}/readyz`)).status === 200 && (await fetch(`${two.origin}/readyz`)).status === 200, {
      timeout: 10_000,
    });
    const [b, c] = [await visitor(t, one), await visitor(t, two)];
    b.find();
    await b.next("WAITING");
    c.find();
    assert.equal((await c.next("MATCH")).payload.peer, b.id);
  });
});
