/**
 * The Redis safety store against the conformance suite the memory store
 * runs (test/support/safety-store-conformance.ts), on a real redis-server
 * started here on a free port and stopped after; what only Redis keeps
 * (the list of bans, trimmed and expiring); and what it says while Redis is
 * away.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test, type TestContext } from "node:test";
import { createClient } from "@redis/client";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { createLogger } from "../src/log.ts";
import { Refusal } from "../src/refusal.ts";
import { createRedisSafetyStore } from "../src/safety/redis-store.ts";
import { createMemorySafetyStore, type SafetyStore } from "../src/safety/store.ts";
import { describeSafetyStore, POLICY } from "./support/safety-store-conformance.ts";
import { waitFor } from "./support/wait.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

let redis: RedisServer | undefined;
let stores = 0;
const opened: SafetyStore[] = [];

before(async () => {
  if (!missing) redis = await startRedis();
});
after(async () => {
  await Promise.all(opened.map((store) => store.close?.()));
  await redis?.stop();
});

if (missing) {
  test("the Redis safety store", { skip: missing }, () => {});
} else {
  describeSafetyStore("Redis safety store", async (policy) => {
    const store = createRedisSafetyStore({ url: redis!.url, log: createLogger("warn"), policy, prefix: `safety${++stores}:` });
    opened.push(store);
    await store.open!();
    // Connected once it answers.
    await waitFor(async () => (await store.banOf("probe", 0).then(() => true, () => false)));
    return store;
  });

  describe("Redis safety store: the list of bans", () => {
    const MINUTE = 60_000;
    const DAY = 24 * 60 * MINUTE;
    const open = async (t: TestContext) => {
      const prefix = `safety${++stores}:`;
      const store = createRedisSafetyStore({ url: redis!.url, log: createLogger("warn"), policy: POLICY, prefix });
      opened.push(store);
      await store.open!();
      await waitFor(async () => (await store.banOf("probe", 0).then(() => true, () => false)));
      const client = createClient({ url: redis!.url });
      await client.connect();
      t.after(() => client.close());
      return { store, client, index: `${prefix}bans` };
    };

    test("when bans of different lengths are listed, then the newest comes first, as the memory store lists them", async (t) => {
      const { store } = await open(t);
      const memory = createMemorySafetyStore(POLICY);
      const t0 = Date.now();
      const list: Array<[string, number, number]> = [["long", 300 * DAY, 0], ["short", MINUTE, 1], ["middle", DAY, 2], ["again", 2 * DAY, 3]];
      for (const s of [store, memory]) {
        for (const [key, durationMs, at] of list) await s.ban(key, { durationMs, note: "" }, t0 + at);
        await s.ban("short", { durationMs: 10 * DAY, note: "" }, t0 + 4); // banned again: newest now
      }
      const listed = async (s: SafetyStore, now: number) => (await s.bans(now)).map((b) => [b.key, b.since, b.until]);
      assert.deepEqual(await listed(store, t0 + 5), await listed(memory, t0 + 5));
      assert.deepEqual((await store.bans(t0 + 5)).map((b) => b.key), ["short", "again", "middle", "long"]);
      assert.deepEqual(await listed(store, t0 + 3 * DAY), await listed(memory, t0 + 3 * DAY));
    });

    test("when bans have ended, then the next ban trims them from the list, which expires with the longest ban in force", async (t) => {
      const { store, client, index } = await open(t);
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) await store.ban(`brief${i}`, { durationMs: MINUTE, note: "" }, t0);
      await store.ban("year", { durationMs: 365 * DAY, note: "" }, t0);
      assert.equal(await client.zCard(index), 21);
      await store.ban("day", { durationMs: DAY, note: "" }, t0 + 2 * MINUTE);
      assert.deepEqual(await client.zRange(index, 0, -1), ["day", "year"], "the ended bans are gone without anyone listing them");
      const ttl = await client.pTTL(index);
      assert.ok(ttl > 365 * DAY - 3 * MINUTE && ttl <= 365 * DAY, `the list lives as long as the year's ban: ${ttl} ms`);
      assert.equal(await store.unban("year", t0 + 3 * MINUTE), true);
      await store.ban("hour", { durationMs: 60 * MINUTE, note: "" }, t0 + 3 * MINUTE);
      const after = await client.pTTL(index);
      assert.ok(after > DAY - 5 * MINUTE && after <= DAY, `then as long as the day's, the longest left: ${after} ms`);
      assert.deepEqual((await store.bans(t0 + 4 * MINUTE)).map((b) => b.key), ["hour", "day"]);
    });

    test("when the list was scored by each ban's start (the version before ade5e63), then the next ban keeps the bans still in force listed, scored by their end", async (t) => {
      const { store, client, index } = await open(t);
      const t0 = Date.now();
      await store.ban("month", { durationMs: 30 * DAY, note: "" }, t0);
      await store.ban("ended", { durationMs: MINUTE, note: "" }, t0);
      await client.zAdd(index, [{ score: t0, value: "month" }, { score: t0, value: "ended" }]);
      await store.ban("day", { durationMs: DAY, note: "" }, t0 + 2 * MINUTE);
      assert.deepEqual((await store.bans(t0 + 3 * MINUTE)).map((b) => b.key), ["day", "month"], "the month's ban is still listed, for a moderator to lift");
      assert.equal(await client.zScore(index, "month"), t0 + 30 * DAY);
      assert.equal(await client.zScore(index, "ended"), null);
    });
  });

  describe("Redis safety store while Redis is away", () => {
    test("when Redis cannot be reached, then commands are refused as unavailable, not guessed", async () => {
      const store = createRedisSafetyStore({ url: "redis://127.0.0.1:1", log: createLogger("silent"), policy: POLICY });
      opened.push(store);
      await store.open!();
      await assert.rejects(store.banOf("k", Date.now()), (error) => error instanceof Refusal && error.code === "unavailable");
      await assert.rejects(store.admitIdentity("k", Date.now()), (error) => error instanceof Refusal && error.code === "unavailable");
    });
  });
}
