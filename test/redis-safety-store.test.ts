/**
 * The Redis safety store against the conformance suite the memory store
 * runs (test/support/safety-store-conformance.ts), on a real redis-server
 * started here on a free port and stopped after; and what it says while
 * Redis is away.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { createLogger } from "../src/log.ts";
import { Refusal } from "../src/refusal.ts";
import { createRedisSafetyStore } from "../src/safety/redis-store.ts";
import type { SafetyStore } from "../src/safety/store.ts";
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
