/**
 * The store conformance suite: the same tests, the randomized model test
 * included, against every MatchStore — the in-memory one and the Redis one
 * (a real redis-server, started here on a free port and stopped after).
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test, type TestContext } from "node:test";
import { redisMissing, type RedisServer, startRedis } from "../dev/redis.ts";
import { createLogger } from "../src/log.ts";
import type { MatchEvent } from "../src/matchmaker/core.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import { createMemoryStore, type MatchStore } from "../src/matchmaker/store.ts";
import { checkEvents, Model, random } from "./support/match-model.ts";
import { waitFor } from "./support/wait.ts";

const missing = await redisMissing();
if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);

/** A store with a sink that records what reached this process. */
interface Opened {
  readonly store: MatchStore;
  readonly delivered: MatchEvent[];
}

interface Kind {
  readonly name: string;
  readonly skip: string | false;
  /** A store for a test; with Redis, each test has keys of its own. */
  open(t: TestContext): Promise<Opened>;
}

let redis: RedisServer | undefined;
let families = 0;

const kinds: Kind[] = [
  {
    name: "memory store",
    skip: false,
    open: (t) => attach(t, createMemoryStore()),
  },
  {
    name: "Redis store",
    skip: missing ?? false,
    open: (t) => attach(t, createRedisStore({ url: redis!.url, log: createLogger("warn"), prefix: `conformance${++families}:`, report: true })),
  },
];

async function attach(t: TestContext, store: MatchStore): Promise<Opened> {
  const delivered: MatchEvent[] = [];
  store.attach({ deliver: (events) => void delivered.push(...events), relayed: () => {}, resync: () => {}, online: () => 0 });
  await store.open();
  t.after(() => store.close());
  return { store, delivered };
}

const pairs = (events: MatchEvent[]) => events.map((e) => [e.to, e.type === "matched" ? e.partner : e.type]);

before(async () => {
  if (!missing) redis = await startRedis();
});
after(() => redis?.stop());

for (const kind of kinds) {
  describe(kind.name, { skip: kind.skip }, () => {
    test("when two visitors wait in the same pool, then they are paired at once with opposite roles", async (t) => {
      const { store } = await kind.open(t);
      assert.deepEqual(await store.find("a", "public", 1), [{ type: "waiting", to: "a", pool: "public" }]);
      assert.deepEqual(await store.find("b", "public", 2), [
        { type: "matched", to: "b", partner: "a", role: "caller", pool: "public" },
        { type: "matched", to: "a", partner: "b", role: "callee", pool: "public" },
      ]);
    });

    test("when visitors wait in different pools, then they are not paired", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", "public", 1);
      assert.deepEqual(await store.find("b", "bots-1", 2), [{ type: "waiting", to: "b", pool: "bots-1" }]);
      assert.equal(await store.waiting(), 2);
    });

    test("when a paired visitor presses Next and a third waits, then it gets the third and the partner is told", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", "p", 1);
      await store.find("b", "p", 2);
      await store.find("c", "p", 3);
      assert.deepEqual(await store.find("b", "p", 4), [
        { type: "partner-left", to: "a", partner: "b", reason: "next" },
        { type: "matched", to: "b", partner: "c", role: "caller", pool: "p" },
        { type: "matched", to: "c", partner: "b", role: "callee", pool: "p" },
      ]);
    });

    test("when the left partner is the only one waiting, then they are not paired again, and a newcomer gets the one waiting longest", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", "p", 1);
      await store.find("b", "p", 2);
      await store.find("b", "p", 3);
      assert.deepEqual(await store.find("a", "p", 4), [{ type: "waiting", to: "a", pool: "p" }]);
      assert.deepEqual(pairs(await store.find("c", "p", 5)), [["c", "b"], ["b", "c"]]);
      assert.deepEqual(pairs(await store.find("d", "p", 6)), [["d", "a"], ["a", "d"]]);
    });

    test("when a waiting visitor asks again, then it keeps its place", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", "p", 1);
      await store.find("b", "p", 2);
      await store.stop("b", 3);
      assert.deepEqual(await store.find("a", "p", 4), [{ type: "waiting", to: "a", pool: "p" }]);
      await store.find("b", "p", 5);
      assert.deepEqual(pairs(await store.find("c", "p", 6)), [["c", "a"], ["a", "c"]], "a waited longest");
    });

    test("when a visitor disconnects, then its partner is told and it is forgotten", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", "p", 1);
      await store.find("b", "p", 2);
      assert.deepEqual(await store.disconnect("a", 3), [{ type: "partner-left", to: "b", partner: "a", reason: "disconnect" }]);
      assert.deepEqual(await store.disconnect("a", 4), []);
      assert.deepEqual(await store.stop("b", 5), []);
      assert.deepEqual(await store.stop("nobody", 6), []);
      assert.equal(await store.waiting(), 0);
    });

    test("when commands run, then each event reaches this process's sink, in order", async (t) => {
      const { store, delivered } = await kind.open(t);
      const returned = [
        ...await store.find("a", "p", 1),
        ...await store.find("b", "p", 2),
        ...await store.find("a", "p", 3),
        ...await store.stop("b", 4),
      ];
      await waitFor(() => delivered.length === returned.length);
      assert.deepEqual(delivered, returned);
    });

    test("when thousands of random interleavings run, then every store agrees with the model", async (t) => {
      const { store, delivered } = await kind.open(t);
      const SEEDS = 2000;
      const STEPS = 100;
      const LANES = 100;
      const returned: MatchEvent[] = [];
      const models: Model[] = [];
      let longestQueue = 0;
      // Seeds run side by side, each in ids and pools of its own, so a shared
      // store is kept busy (and batches) while each seed stays sequential.
      const lane = async (first: number) => {
        for (let seed = first; seed <= SEEDS; seed += LANES) {
          const rnd = random(seed);
          const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
          const ids = Array.from({ length: 10 }, (_, i) => `s${seed}-v${i}`);
          const pools = [`s${seed}-public`, `s${seed}-public`, `s${seed}-bots`];
          const model = new Model();
          models.push(model);
          for (let step = 0; step < STEPS; step++) {
            const id = pick(ids);
            const op = rnd();
            let got: MatchEvent[];
            let want: MatchEvent[];
            if (op < 0.6) {
              const pool = pick(pools);
              got = await store.find(id, pool, step);
              want = model.find(id, pool);
            } else if (op < 0.75) {
              got = await store.stop(id, step);
              want = model.stop(id);
            } else {
              got = await store.disconnect(id, step);
              want = model.disconnect(id);
            }
            assert.deepEqual(got, want, `seed ${seed} step ${step}`);
            checkEvents(got, model.online);
            returned.push(...got);
            longestQueue = Math.max(longestQueue, ...pools.map((p) => model.waiting.filter((w) => w.pool === p).length));
          }
        }
      };
      await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
      assert.ok(longestQueue >= 2, "queues held several visitors, so oldest-first was put to the test");
      assert.equal(await store.waiting(), models.reduce((n, m) => n + m.waiting.length, 0), "the store counts who waits");
      await waitFor(() => delivered.length === returned.length, { timeout: 10_000 });
      const byVisitor = (events: MatchEvent[]) => {
        const heard: Record<string, MatchEvent[]> = {};
        for (const e of events) (heard[e.to] ??= []).push(e);
        return heard;
      };
      assert.deepEqual(byVisitor(delivered), byVisitor(returned), "every visitor hears its events, in order");
    });
  });
}
