/**
 * What an operator's Redis holds (README "What Redis holds"): after real
 * traffic through the match store and the safety store, including a process
 * swept as dead and a cluster stopped mid-sweep, every key under their
 * prefixes expires; and `--redis` with a password and a database in the URL
 * keeps everything in that database, behind that password, while a wrong one
 * is said plainly, without the password. On real redis-servers started here
 * on free ports and stopped by pid.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test, type TestContext } from "node:test";
import { createClient } from "@redis/client";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { createLogger } from "../src/log.ts";
import type { MatchEvent } from "../src/matchmaker/core.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import { StoreUnavailable } from "../src/matchmaker/store.ts";
import { defaultWish } from "../src/protocol/index.ts";
import { Refusal } from "../src/refusal.ts";
import { createRedisSafetyStore } from "../src/safety/redis-store.ts";
import { connect, pair } from "./support/client.ts";
import { cuttableProxy } from "./support/proxy.ts";
import { withServer } from "./support/server.ts";
import { POLICY } from "./support/safety-store-conformance.ts";
import { waitFor } from "./support/wait.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SECRET = "keys-test-secret-shared-by-every-process-0123456789";
const silent = createLogger("silent");

let redis: RedisServer;

before(async () => {
  if (!missing) redis = await startRedis();
});
after(() => redis?.stop());

const adminClient = (url: string) => createClient({ url });
type Admin = ReturnType<typeof adminClient>;

/** A client of our own for looking at what the stores left, closed after the test. */
async function admin(t: TestContext, url: string): Promise<Admin> {
  const client = adminClient(url);
  client.on("error", () => {}); // its Redis may stop first: a failed command says so
  await client.connect();
  t.after(() => client.close());
  return client;
}

/** Every key matching `pattern` and its PTTL: ms left, -1 for none, -2 when it expired between SCAN and PTTL. */
async function expiries(client: Admin, pattern: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
    for (const key of keys) found.set(key, await client.pTTL(key));
  }
  return found;
}

/** Asserts that each key expires; returns the kinds seen (what precedes the first ':' after the prefix). */
function assertAllExpire(found: Map<string, number>, prefix: string): Set<string> {
  const lasting = [...found].filter(([, ms]) => ms === -1).map(([key]) => key);
  assert.deepEqual(lasting, [], "keys with no expiry");
  for (const [key, ms] of found) assert.ok(ms > 0 || ms === -2, `${key}: PTTL ${ms}`);
  return new Set([...found.keys()].map((key) => key.slice(prefix.length).split(":")[0]));
}

describe("what Redis holds", { skip: missing ?? false }, () => {
  test("when visitors find, pair and are kept apart, and a process is swept as dead, then every key the match store leaves expires, even once every process has stopped mid-sweep", async (t) => {
    const prefix = "keys-match:";
    const events: MatchEvent[] = [];
    // One visitor swept per beat, so that a sweep spans beats and is under way when the last process stops.
    const join = async (url = redis.url) => {
      const store = createRedisStore({ url, log: silent, prefix, timing: { sweepBudget: 1 } });
      store.attach({ deliver: (e) => void events.push(...e), relayed: () => {}, resync: () => {}, online: () => 1 });
      await store.open();
      t.after(() => store.close());
      return store;
    };
    const client = await admin(t, redis.url);
    const proxy = await cuttableProxy(t, redis.port);
    const [live, doomed] = [await join(), await join(`redis://127.0.0.1:${proxy.port}`)];
    const now = Date.now();
    await live.find("a", defaultWish("p"), now, "addr-a");
    await doomed.find("b", defaultWish("p"), now, "addr-b");
    await doomed.find("c", { ...defaultWish("chess"), interests: ["chess"], language: "en" }, now, "addr-c");
    await doomed.find("d", { ...defaultWish("q"), preferences: { gender: "woman", lookingFor: "men" } }, now, "addr-d");
    await live.block("addr-e", "addr-f", now + DAY, now);
    await live.find("e", defaultWish("r"), now, "addr-e");
    await live.find("f", defaultWish("r"), now, "addr-f");
    await live.find("g", defaultWish("r"), now, "addr-g");
    await live.tick(now + 1000);
    await waitFor(() => events.some((e) => e.type === "matched" && e.to === "a"));
    const during = await expiries(client, `${prefix}*`);
    const busy = assertAllExpire(during, prefix);
    for (const kind of ["v", "m", "pi", "procs", "k"]) assert.ok(busy.has(kind), `no ${kind}: key while busy: ${[...busy]}`);

    proxy.cut();
    await waitFor(() => events.some((e) => e.type === "partner-left" && e.to === "a"), { timeout: 5000 });
    // Its sweep is over: all its visitors are gone.
    await waitFor(async () => (await client.exists(`${prefix}dead`)) === 0 && (await live.stats()).processes === 1, { timeout: 5000 });
    assertAllExpire(await expiries(client, `${prefix}*`), prefix);

    // The last process leaves with more visitors than one beat sweeps: the sweep is left under way.
    await live.close();
    const stopped = assertAllExpire(await expiries(client, `${prefix}*`), prefix);
    assert.ok(stopped.has("dead"), `the sweep under way is kept: ${[...stopped]}`);
    assert.ok((await client.pTTL(`${prefix}dead`)) > DAY - MINUTE, "kept as long as its processes' visitors");
  });

  test("when visitors ask for identities, report, are banned, unbanned and spend challenges, then every key the safety store leaves expires", async (t) => {
    const prefix = "keys-safety:";
    const store = createRedisSafetyStore({ url: redis.url, log: silent, policy: POLICY, prefix });
    await store.open!();
    t.after(() => store.close!());
    await waitFor(() => store.banOf("probe", 0).then(() => true, () => false));
    const client = await admin(t, redis.url);
    const now = Date.now();
    for (const key of ["a", "b", "c", "d"]) assert.equal((await store.admitIdentity(key, now)).kind, "admitted");
    for (let i = 0; i < POLICY.identitiesPerMinute; i++) await store.admitIdentity("greedy", now);
    assert.equal((await store.admitIdentity("greedy", now)).kind, "limited");
    const outcomes = [];
    for (const reporter of ["b", "c", "d"]) outcomes.push(await store.report({ reporter, reported: "a", reason: "spam", peer: "p-1" }, now));
    assert.ok(outcomes[2].kind === "recorded" && outcomes[2].ban, "three reports ban");
    await store.ban("e", { durationMs: 60 * MINUTE, note: "spam links" }, now);
    await store.ban("f", { durationMs: 1000, note: "" }, now);
    await store.ban("g", { durationMs: DAY, note: "" }, now + 2000); // f has ended: trimmed from the list of bans
    assert.equal(await store.unban("e", now + 2000), true);
    assert.equal(await store.useOnce("challenge-1", now + MINUTE, now), true);
    await store.flag("h", now);
    assert.deepEqual((await store.bans(now + 2000)).map((b) => b.key), ["g", "a"]);
    assert.equal((await store.reports(now, 10)).length, 3);

    const kinds = assertAllExpire(await expiries(client, `${prefix}*`), prefix);
    for (const kind of ["n", "h", "bans", "d", "rr", "reports", "seq", "b", "s", "u", "rate"]) {
      assert.ok(kinds.has(kind), `no ${kind} key: ${[...kinds]}`);
    }
    assert.equal(await client.zCard(`${prefix}bans`), 2, "ended and lifted bans are not listed");
  });
});

describe("--redis with a password and a database", { skip: missing ?? false }, () => {
  const PASSWORD = "pw-for-this-test-only";
  // Stopped after every test's servers and stores have closed, which wait for it.
  let own: RedisServer;
  before(async () => own = await startRedis(["--requirepass", PASSWORD]));
  after(() => own?.stop());

  test("when the server is given redis://:password@host/3, then it serves, and what it keeps is in database 3, expiring, with no address", async (t) => {
    const server = await withServer(t, { redis: `redis://:${PASSWORD}@127.0.0.1:${own.port}/3`, secret: SECRET, challenge: "off" });
    assert.equal((await fetch(`${server.origin}/readyz`)).status, 200);
    const [a, b] = await pair(t, server, "pw");
    a.send({ type: "REPORT", payload: { peer: b.id, reason: "spam" } });
    await a.next("REPORTED");
    const waiting = await connect(t, server);
    waiting.find("alone");
    await waiting.next("WAITING");

    const three = await admin(t, `redis://:${PASSWORD}@127.0.0.1:${own.port}/3`);
    const found = await expiries(three, "*");
    assertAllExpire(found, "");
    assert.ok([...found.keys()].some((key) => key.startsWith("chatroulette:s:d:")), "the report is kept in database 3");
    for (const key of found.keys()) {
      const type = await three.type(key);
      const value = type === "string"
        ? await three.get(key)
        : type === "hash"
        ? JSON.stringify(await three.hGetAll(key))
        : type === "set"
        ? JSON.stringify(await three.sMembers(key))
        : JSON.stringify(await three.zRange(key, 0, -1));
      assert.ok(!`${key} ${value}`.includes("127.0.0.1"), `${key} holds an address: ${value}`);
    }
    const zero = await admin(t, `redis://:${PASSWORD}@127.0.0.1:${own.port}/0`);
    assert.equal(await zero.dbSize(), 0, "nothing in database 0");
  });

  test("when the password is wrong, or the database does not exist, then each store says so once, not per retry, never shows the password, and refuses visitors", async (t) => {
    const wrong = "not-the-password-42";
    const cases = [
      { url: `redis://:${wrong}@127.0.0.1:${own.port}/3`, db: 3, reply: "WRONGPASS invalid username-password pair or user is disabled." },
      { url: `redis://:${PASSWORD}@127.0.0.1:${own.port}/99`, db: 99, reply: "ERR DB index is out of range" },
    ];
    for (const { url, db, reply } of cases) {
      const lines: string[] = [];
      const log = createLogger("warn", (line) => lines.push(line.replace(/^\S+ /, "")));
      const match = createRedisStore({ url, log, prefix: "wrong:", timing: { openWaitMs: 500, commandWaitMs: 100 } });
      match.attach({ deliver: () => {}, relayed: () => {}, resync: () => {}, online: () => 0 });
      const safety = createRedisSafetyStore({ url, log, policy: POLICY, prefix: "wrong:s:" });
      t.after(() => Promise.all([match.close(), safety.close!()]));
      // The match store waits 500 ms for Redis, retrying meanwhile (100 ms doubling): said once per link all the same.
      await Promise.all([match.open(), safety.open!()]);
      const where = `redis://:***@127.0.0.1:${own.port}/${db}`;
      assert.deepEqual(lines.sort(), [
        `warn Redis at ${where} cannot be reached: ${reply} (check the password and database in --redis); retrying`,
        `warn Redis at ${where} cannot be reached: ${reply} (check the password and database in --redis); retrying`,
        `warn starting without Redis at ${where}: visitors are refused until it can be reached`,
      ]);
      assert.ok(!lines.join("\n").includes(wrong) && !lines.join("\n").includes(PASSWORD), "no password is printed");
      assert.equal(match.ready(), false);
      await assert.rejects(match.find("a", defaultWish("p"), Date.now()), StoreUnavailable);
      await assert.rejects(safety.admitIdentity("a", Date.now()), (error) => error instanceof Refusal && error.code === "unavailable");
    }
  });
});
