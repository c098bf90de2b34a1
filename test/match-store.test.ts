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
import type { MatchEvent, MatchOptions } from "../src/matchmaker/core.ts";
import { createRedisStore } from "../src/matchmaker/redis/store.ts";
import { createMemoryStore, type MatchStore } from "../src/matchmaker/store.ts";
import { checkEvents, Model, random, randomWish } from "./support/match-model.ts";
import { waitFor } from "./support/wait.ts";
import { defaultWish } from "../src/protocol/index.ts";

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
  open(t: TestContext, options?: MatchOptions): Promise<Opened>;
}

const SEEDS = 1000;
const STEPS = 100;
const LANES = 100;
/** The rules' figures in clock steps; with LANES lanes side by side, a lane's step is about LANES of the clock's. */
const RUNS: Array<[string, MatchOptions]> = [
  ["a 3-step wait, 3 recent strangers for 15 steps", { interestWaitMs: 3 * LANES, recentCount: 3, recentMs: 15 * LANES }],
  ["no wait, 10 recent strangers for 40 steps", { interestWaitMs: 0, recentCount: 10, recentMs: 40 * LANES }],
];

let redis: RedisServer | undefined;
let families = 0;

const kinds: Kind[] = [
  {
    name: "memory store",
    skip: false,
    open: (t, options) => attach(t, createMemoryStore(options)),
  },
  {
    name: "Redis store",
    skip: missing ?? false,
    open: (t, options) =>
      attach(t, createRedisStore({ url: redis!.url, log: createLogger("warn"), prefix: `conformance${++families}:`, report: true, options })),
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
      assert.deepEqual(await store.find("a", defaultWish("public"), 1), [{ type: "waiting", to: "a", pool: "public" }]);
      assert.deepEqual(await store.find("b", defaultWish("public"), 2), [
        { type: "matched", to: "b", partner: "a", role: "caller", pool: "public" },
        { type: "matched", to: "a", partner: "b", role: "callee", pool: "public" },
      ]);
    });

    test("when visitors wait in different pools, then they are not paired", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", defaultWish("public"), 1);
      assert.deepEqual(await store.find("b", defaultWish("bots-1"), 2), [{ type: "waiting", to: "b", pool: "bots-1" }]);
      assert.equal(await store.waiting(), 2);
    });

    test("when a paired visitor presses Next and a third waits, then it gets the third and the partner is told", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", defaultWish("p"), 1);
      await store.find("b", defaultWish("p"), 2);
      await store.find("c", defaultWish("p"), 3);
      assert.deepEqual(await store.find("b", defaultWish("p"), 4), [
        { type: "partner-left", to: "a", partner: "b", reason: "next" },
        { type: "matched", to: "b", partner: "c", role: "caller", pool: "p" },
        { type: "matched", to: "c", partner: "b", role: "callee", pool: "p" },
      ]);
    });

    test("when the left partner is the only one waiting, then they are not paired again, and a newcomer gets the one waiting longest", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", defaultWish("p"), 1);
      await store.find("b", defaultWish("p"), 2);
      await store.find("b", defaultWish("p"), 3);
      assert.deepEqual(await store.find("a", defaultWish("p"), 4), [{ type: "waiting", to: "a", pool: "p" }]);
      assert.deepEqual(pairs(await store.find("c", defaultWish("p"), 5)), [["c", "b"], ["b", "c"]]);
      assert.deepEqual(pairs(await store.find("d", defaultWish("p"), 6)), [["d", "a"], ["a", "d"]]);
    });

    test("when a waiting visitor asks again, then it keeps its place", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", defaultWish("p"), 1);
      await store.find("b", defaultWish("p"), 2);
      await store.stop("b", 3);
      assert.deepEqual(await store.find("a", defaultWish("p"), 4), [{ type: "waiting", to: "a", pool: "p" }]);
      await store.find("b", defaultWish("p"), 5);
      assert.deepEqual(pairs(await store.find("c", defaultWish("p"), 6)), [["c", "a"], ["a", "c"]], "a waited longest");
    });

    test("when a visitor disconnects, then its partner is told and it is forgotten", async (t) => {
      const { store } = await kind.open(t);
      await store.find("a", defaultWish("p"), 1);
      await store.find("b", defaultWish("p"), 2);
      assert.deepEqual(await store.disconnect("a", 3), [{ type: "partner-left", to: "b", partner: "a", reason: "disconnect" }]);
      assert.deepEqual(await store.disconnect("a", 4), []);
      assert.deepEqual(await store.stop("b", 5), []);
      assert.deepEqual(await store.stop("nobody", 6), []);
      assert.equal(await store.waiting(), 0);
    });

    test("when one reported the other, then their addresses are not paired while blocked, whoever else waits", async (t) => {
      const { store } = await kind.open(t);
      const p = defaultWish("p");
      await store.find("a", p, 1, "addr-a");
      await store.block("addr-a", "addr-b", 100, 1);
      assert.deepEqual(await store.find("b", p, 2, "addr-b"), [{ type: "waiting", to: "b", pool: "p" }]);
      await store.disconnect("b", 2);
      // b reconnected, with a new identity
      assert.deepEqual(await store.find("b2", p, 3, "addr-b"), [{ type: "waiting", to: "b2", pool: "p" }]);
      assert.deepEqual(pairs(await store.find("c", p, 4, "addr-c")), [["c", "a"], ["a", "c"]], "a third address gets the oldest waiting");
      await store.stop("c", 5);
      await store.stop("a", 6);
      assert.deepEqual(await store.find("a", p, 99, "addr-a"), [{ type: "waiting", to: "a", pool: "p" }], "b2 still waits, blocked");
      await store.stop("a", 99);
      assert.deepEqual(pairs(await store.find("a", p, 100, "addr-a")), [["a", "b2"], ["b2", "a"]], "the block has expired");
    });

    test("when two behind one address are blocked by their ids, then they are kept apart and everyone else at that address is not", async (t) => {
      const { store } = await kind.open(t);
      const p = defaultWish("p");
      await store.block("a", "b", 100, 0);
      await store.find("a", p, 1, "nat");
      assert.deepEqual(await store.find("b", p, 2, "nat"), [{ type: "waiting", to: "b", pool: "p" }]);
      assert.deepEqual(pairs(await store.find("c", p, 3, "nat")), [["c", "a"], ["a", "c"]], "a third visitor at that address meets a");
    });

    test("when commands run, then each event reaches this process's sink, in order", async (t) => {
      const { store, delivered } = await kind.open(t);
      const returned = [
        ...await store.find("a", defaultWish("p"), 1),
        ...await store.find("b", defaultWish("p"), 2),
        ...await store.find("a", defaultWish("p"), 3),
        ...await store.stop("b", 4),
      ];
      await waitFor(() => delivered.length === returned.length);
      assert.deepEqual(delivered, returned);
    });

    for (const [name, options] of RUNS) {
      test(`when thousands of random interleavings run (${name}), then every store agrees with the model`, async (t) => {
        const { store, delivered } = await kind.open(t, options);
        const returned: MatchEvent[] = [];
        const models: Model[] = [];
        // Models of the seeds running now: the others have left (below), so ticks cannot touch them.
        const active = new Set<Model>();
        const seen = { longestQueue: 0, shared: 0, afterWait: 0 };
        // One clock for every lane: a tick is the whole store's, so every lane's model ticks with it.
        let clock = 0;
        const tickAll = (now: number) => [...active].flatMap((m) => m.tick(now));
        const canonical = (events: MatchEvent[]) => events.map((e) => JSON.stringify(e)).sort();
        // Seeds run side by side, each in ids and pools of its own, so a shared
        // store is kept busy (and batches) while each seed stays sequential.
        // Each command goes to the model as it goes to the store, in the same order.
        const lane = async (first: number) => {
          for (let seed = first; seed <= SEEDS; seed += LANES) {
            const rnd = random(seed);
            const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
            const ids = Array.from({ length: 10 }, (_, i) => `s${seed}-v${i}`);
            // Fewer addresses than visitors: some share one, as behind a NAT.
            const addresses = Array.from({ length: 6 }, (_, i) => `s${seed}-a${i}`);
            const model = new Model(options);
            models.push(model);
            active.add(model);
            for (let step = 0; step < STEPS; step++) {
              const id = pick(ids);
              const op = rnd();
              const now = ++clock;
              const label = `seed ${seed} step ${step}`;
              if (op < 0.45) {
                const drawn = randomWish(rnd);
                const wish = { ...drawn, pool: `s${seed}-${drawn.pool}` };
                const address = pick(addresses);
                const want = model.find(id, wish, now, address);
                const got = await store.find(id, wish, now, address);
                assert.deepEqual(got, want, label);
                checkEvents(got, model.online);
                for (const e of got) if (e.type === "matched") assert.ok(!model.blocked(e.to, e.partner, now), "no pair blocked by a report");
                returned.push(...got);
                seen.shared += got.filter((e) => e.type === "matched" && e.interests).length;
              } else if (op < 0.5) {
                // A report: two addresses, or (behind one) two ids, kept apart for a while.
                const [a, b] = rnd() < 0.5 ? [pick(addresses), pick(addresses)] : [id, pick(ids)];
                const until = now + (1 + Math.floor(rnd() * 30)) * LANES;
                model.block(a, b, until);
                await store.block(a, b, until, now);
              } else if (op < 0.65) {
                const want = tickAll(now);
                const got = await store.tick(now);
                assert.deepEqual(canonical(got), canonical(want), `${label} (tick)`);
                returned.push(...got);
                seen.afterWait += got.length;
              } else {
                const leave = op < 0.8;
                const want = leave ? model.stop(id) : model.disconnect(id);
                const got = await (leave ? store.stop(id, now) : store.disconnect(id, now));
                assert.deepEqual(got, want, label);
                returned.push(...got);
              }
              seen.longestQueue = Math.max(seen.longestQueue, model.waiting.length);
            }
            // The seed's visitors leave, so later ticks (and the final count) are the running seeds' only.
            for (const id of ids) {
              const want = model.disconnect(id);
              const got = await store.disconnect(id, ++clock);
              assert.deepEqual(got, want, `seed ${seed}: ${id} leaves`);
              returned.push(...got);
            }
            active.delete(model);
          }
        };
        await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
        assert.ok(seen.longestQueue >= 4, "queues held several visitors, so the order was put to the test");
        assert.ok(seen.shared > 50, "pairs were made on common interests");
        if (options.interestWaitMs > 0) assert.ok(seen.afterWait > 50, "ticks paired visitors whose wait was over");
        assert.equal(await store.waiting(), models.reduce((n, m) => n + m.waiting.length, 0), "the store counts who waits");
        await waitFor(() => delivered.length === returned.length, { timeout: 10_000 });
        const byVisitor = (events: MatchEvent[]) => {
          const heard: Record<string, MatchEvent[]> = {};
          for (const e of events) (heard[e.to] ??= []).push(e);
          return heard;
        };
        assert.deepEqual(byVisitor(delivered), byVisitor(returned), "every visitor hears its events, in order");
      });
    }
  });
}
