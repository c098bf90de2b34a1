/**
 * What only a shared store does: several processes (here, several stores
 * on one real redis-server) share one pool, hear their own visitors' events,
 * relay only between partners, give up on a process that is cut off, and
 * recover when Redis goes away or forgets everything.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test, type TestContext } from "node:test";
import { createClient } from "@redis/client";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { createLogger } from "../src/log.ts";
import type { MatchEvent } from "../src/matchmaker/core.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import type { Timing } from "../src/matchmaker/redis/timing.ts";
import { type MatchStore, StoreUnavailable } from "../src/matchmaker/store.ts";
import type { RelayType } from "../src/protocol/index.ts";
import { cuttableProxy } from "./support/proxy.ts";
import { waitFor } from "./support/wait.ts";
import { defaultWish } from "../src/protocol/index.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

let redis: RedisServer;
let families = 0;

/** One process of a cluster: its store and what reached its sink. */
interface Member {
  readonly store: MatchStore;
  readonly events: MatchEvent[];
  readonly relayed: Array<{ from: string; to: string; type: RelayType; text: string }>;
  resyncs: number;
}

/** A family of stores sharing keys, as processes of one deployment would. */
function family(t: TestContext) {
  const prefix = `family${++families}:`;
  return async (options: { url?: string; timing?: Partial<Timing> } = {}): Promise<Member> => {
    const store = createRedisStore({ url: options.url ?? redis.url, log: createLogger("silent"), prefix, timing: options.timing, report: true });
    const member: Member = { store, events: [], relayed: [], resyncs: 0 };
    store.attach({
      deliver: (events) => void member.events.push(...events),
      relayed: (from, to, type, text) => void member.relayed.push({ from, to, type, text }),
      resync: () => void member.resyncs++,
      online: () => 1,
    });
    await store.open();
    t.after(() => store.close());
    return member;
  };
}

const heard = (member: Member, type: MatchEvent["type"], to: string) => member.events.find((e) => e.type === type && e.to === to);

before(async () => {
  if (!missing) redis = await startRedis();
});
after(() => redis?.stop());

describe("Redis store across processes", { skip: missing ?? false }, () => {
  test("when visitors on two processes are paired, then each process hears only its own visitor's events", async (t) => {
    const join = family(t);
    const [one, two] = [await join(), await join()];
    await one.store.find("a", defaultWish("p"), 1);
    await two.store.find("b", defaultWish("p"), 2);
    await waitFor(() => heard(one, "matched", "a") && heard(two, "matched", "b"));
    assert.deepEqual(one.events.map((e) => [e.type, e.to]), [["waiting", "a"], ["matched", "a"]]);
    assert.deepEqual(two.events.map((e) => [e.type, e.to]), [["matched", "b"]]);
    await two.store.find("b", defaultWish("p"), 3); // Next
    await waitFor(() => heard(one, "partner-left", "a"));
    await waitFor(async () => (await one.store.stats()).processes === 2, { timeout: 2000 });
  });

  test("when a frame is relayed, then it reaches the partner's process only while they are partners (LEAVE: the last one)", async (t) => {
    const join = family(t);
    const [one, two] = [await join(), await join()];
    await one.store.find("a", defaultWish("p"), 1);
    await two.store.find("b", defaultWish("p"), 2);
    await two.store.find("c", defaultWish("q"), 3);
    two.store.relay("c", "a", "OFFER", "from a stranger");
    two.store.relay("b", "a", "OFFER", "offer");
    await waitFor(() => one.relayed.length === 1);
    assert.deepEqual(one.relayed[0], { from: "b", to: "a", type: "OFFER", text: "offer" });
    await two.store.stop("b", 4);
    two.store.relay("b", "a", "CANDIDATE", "too late");
    two.store.relay("b", "a", "LEAVE", "leave");
    await waitFor(() => one.relayed.length === 2);
    assert.equal(one.relayed[1].type, "LEAVE");
  });

  test("when a visitor reconnects to another process, then its old socket's late commands and disconnect do not undo its place", async (t) => {
    const join = family(t);
    const [one, two] = [await join(), await join()];
    await one.store.find("a", defaultWish("p"), 1);
    await two.store.claim!("a", 2); // the same visitor, its new socket on two
    await two.store.find("a", defaultWish("p"), 2);
    assert.deepEqual(await one.store.find("a", defaultWish("q"), 3), [], "a FIND of the old socket changes nothing");
    assert.deepEqual(await one.store.stop("a", 3), [], "nor does a STOP");
    assert.deepEqual(await one.store.disconnect("a", 3), [], "the old process no longer holds it");
    assert.deepEqual((await two.store.find("b", defaultWish("p"), 4)).map((e) => e.to), ["b", "a"]);
    await waitFor(() => heard(two, "matched", "a"));
    assert.equal(heard(one, "matched", "a"), undefined);
  });

  test("when a process is cut off from Redis, then its partners are told within 2 s, nobody is paired with its visitors, and it comes back anew", async (t) => {
    const join = family(t);
    const proxy = await cuttableProxy(t, redis.port);
    const [one, cut] = [await join(), await join({ url: `redis://127.0.0.1:${proxy.port}`, timing: { commandWaitMs: 300 } })];
    await cut.store.find("a", defaultWish("p"), 1);
    await one.store.find("b", defaultWish("p"), 2);
    await cut.store.find("c", defaultWish("p"), 3); // waits
    await waitFor(() => heard(one, "matched", "b"));
    proxy.cut();
    const cutAt = Date.now();
    await waitFor(() => heard(one, "partner-left", "b"), { timeout: 2000 });
    assert.ok(Date.now() - cutAt <= 2000, `told after ${Date.now() - cutAt} ms`);
    await waitFor(async () => (await one.store.stats()).processes === 1 && (await one.store.waiting()) === 0);
    assert.deepEqual(await one.store.find("d", defaultWish("p"), 4), [{ type: "waiting", to: "d", pool: "p" }], "c, on the dead process, is not a candidate");
    assert.equal(cut.store.ready(), false);
    await assert.rejects(cut.store.find("c", defaultWish("p"), 5), StoreUnavailable);
    proxy.restore();
    await waitFor(() => cut.store.ready() && cut.resyncs === 1, { timeout: 5000 });
    assert.deepEqual((await cut.store.find("c", defaultWish("p"), 6)).map((e) => e.type), ["matched", "matched"], "c is paired with d");
  });

  test("when Redis forgets everything, then each process joins again and resyncs its visitors", async (t) => {
    const join = family(t);
    const [one, two] = [await join(), await join()];
    await one.store.find("a", defaultWish("p"), 1);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    t.after(() => admin.close());
    await admin.flushAll();
    await waitFor(() => one.resyncs === 1 && two.resyncs === 1 && one.store.ready() && two.store.ready(), { timeout: 5000 });
    assert.equal(await one.store.waiting(), 0);
    await one.store.find("a", defaultWish("p"), 2);
    assert.equal((await two.store.find("b", defaultWish("p"), 3)).length, 2);
  });

  test("when a process's connection drops briefly and a message to it is lost, then it resyncs", async (t) => {
    const join = family(t);
    const proxy = await cuttableProxy(t, redis.port);
    const [one, two] = [await join({ url: `redis://127.0.0.1:${proxy.port}` }), await join()];
    await one.store.find("a", defaultWish("p"), 1);
    await waitFor(() => heard(one, "waiting", "a"));
    proxy.cut();
    await two.store.find("b", defaultWish("p"), 2); // its MATCH for a is published while one cannot hear it
    proxy.restore(); // well within the presence TTL: one is not given up
    await waitFor(() => one.resyncs === 1, { timeout: 5000 });
    assert.equal(heard(one, "matched", "a"), undefined, "the MATCH was lost");
  });

  test("when Redis stops, then commands fail within the wait, and after it restarts the processes pair again", async (t) => {
    const own = await startRedis();
    t.after(() => own.stop());
    const join = family(t);
    const timing = { commandWaitMs: 300 };
    const [one, two] = [await join({ url: own.url, timing }), await join({ url: own.url, timing })];
    await own.stop();
    await waitFor(() => !one.store.ready() && !two.store.ready());
    const asked = Date.now();
    await assert.rejects(one.store.find("a", defaultWish("p"), 1), StoreUnavailable);
    assert.ok(Date.now() - asked < 2000);
    const left = one.store.disconnect("gone", 2); // waits for Redis, however long
    await own.start();
    await waitFor(() => one.store.ready() && two.store.ready(), { timeout: 10_000 });
    assert.deepEqual(await left, []);
    await one.store.find("a", defaultWish("p"), 3);
    assert.equal((await two.store.find("b", defaultWish("p"), 4)).length, 2);
  });
});
