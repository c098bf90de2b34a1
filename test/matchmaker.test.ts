/**
 * The matchmaking core under thousands of random interleavings of find (join
 * / Next, with random wishes), stop, disconnect and tick, checked against a
 * naive model of every rule; and the memory store. Each rule's own cases are
 * in matchmaker-rules.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createMatchState,
  current,
  disconnect,
  find,
  type MatchEvent,
  type MatchOptions,
  type MatchState,
  stop,
  tick,
  block,
} from "../src/matchmaker/core.ts";
import { BLOCK } from "../src/matchmaker/blocked.ts";
import { createMemoryStore } from "../src/matchmaker/store.ts";
import { defaultWish } from "../src/protocol/index.ts";
import { Model, random, randomWish } from "./support/match-model.ts";

/** Invariants that must hold after every command, whatever the model says. */
function checkState(state: MatchState, online: Set<string>) {
  const filed = new Map<string, number>();
  const file = (id: string) => filed.set(id, (filed.get(id) ?? 0) + 1);
  for (const [key, group] of state.groups) {
    assert.ok(group.classes.size > 0, "no empty groups are kept");
    for (const queue of group.classes.values()) {
      assert.ok(queue.size > 0, "no empty classes are kept");
      for (const index of [queue.untagged, queue.expired, ...queue.tags.values()]) {
        for (const [id, v] of index) {
          assert.equal(v.queue, queue, `${id} is filed where it waits`);
          assert.equal(v.partner, null, `${id} waits while paired`);
          assert.ok(online.has(id), `departed ${id} still waits`);
          assert.equal(v.wish.textOnly ? `${v.wish.pool} text` : v.wish.pool, key);
        }
      }
      for (const index of queue.tags.values()) assert.ok(index.size > 0, "no empty indexes are kept");
      for (const id of [...queue.untagged.keys(), ...queue.expired.keys()]) file(id);
    }
  }
  for (const [id, v] of state.pending) {
    assert.ok(v.queue !== null && !v.open, `${id} is pending while waiting and not yet open`);
    file(id);
  }
  let waiting = 0;
  for (const v of state.visitors.values()) {
    assert.ok(online.has(v.id), `departed ${v.id} is still known`);
    for (const { id } of v.met) assert.ok(state.visitors.get(id)?.met.some((m) => m.id === v.id), "met is symmetric");
    assert.ok(v.met.length <= state.options.recentCount);
    if (v.queue !== null) {
      waiting++;
      assert.equal(filed.get(v.id), 1, `${v.id} is open or pending, once`);
    }
    if (v.partner === null) continue;
    assert.notEqual(v.partner, v.id, "nobody is paired with themself");
    const p = state.visitors.get(v.partner);
    assert.ok(p, `${v.id}'s partner ${v.partner} departed`);
    assert.equal(p.partner, v.id, "pairs are mutual (no one has two partners)");
    assert.equal(p.pool, v.pool, "partners share a pool");
  }
  assert.equal(state.waiting, waiting, "the waiting count is exact");
}

/** Fewer addresses than visitors: some share one, as behind a NAT. */
const ADDRESSES = ["addr-a", "addr-b", "addr-c", "addr-d", "addr-e", "addr-f"];

describe("matchmaking core against a naive model", () => {
  const runs: Array<[string, MatchOptions]> = [
    ["a 3-step wait, 3 recent strangers for 15 steps", { interestWaitMs: 3, recentCount: 3, recentMs: 15 }],
    ["no wait, 10 recent strangers for 40 steps", { interestWaitMs: 0, recentCount: 10, recentMs: 40 }],
  ];
  for (const [name, options] of runs) {
    test(`when thousands of random interleavings run (${name}), then the invariants hold and the core agrees with the model`, () => {
      const ids = Array.from({ length: 10 }, (_, i) => `v${i}`);
      const seen = { longestQueue: 0, shared: 0, afterWait: 0, recentAgain: 0 };
      for (let seed = 1; seed <= 1500; seed++) {
        const rnd = random(seed);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
        const state = createMatchState(options);
        const model = new Model(options);
        for (let step = 0; step < 100; step++) {
          const id = pick(ids);
          const op = rnd();
          const label = `seed ${seed} step ${step}`;
          let got: MatchEvent[];
          let want: MatchEvent[];
          if (op < 0.45) {
            const wish = randomWish(rnd);
            const address = pick(ADDRESSES);
            got = find(state, id, wish, step, address);
            want = model.find(id, wish, step, address);
          } else if (op < 0.5) {
            // A report: two addresses, or (behind one) two ids, kept apart for a while.
            const [a, b] = rnd() < 0.5 ? [pick(ADDRESSES), pick(ADDRESSES)] : [id, pick(ids)];
            const until = step + 1 + Math.floor(rnd() * 30);
            got = block(state, a, b, until, step);
            want = model.block(a, b, until);
          } else if (op < 0.65) {
            got = tick(state, step);
            want = model.tick(step);
            if (got.length > 0) seen.afterWait++;
          } else if (op < 0.8) {
            got = stop(state, id);
            want = model.stop(id);
          } else {
            got = disconnect(state, id);
            want = model.disconnect(id);
          }
          assert.deepEqual(got, want, label);
          for (const e of got) {
            if (e.type !== "matched") continue;
            assert.notEqual(e.partner, e.to, "no self-pair");
            assert.ok(model.online.has(e.partner) && model.online.has(e.to), "no pair with a departed visitor");
            assert.ok(!model.blocked(e.to, e.partner, step), "no pair of addresses blocked by a report");
            if (e.interests) seen.shared++;
            const at = model.met.get(e.to)?.get(e.partner);
            if (at !== undefined && at !== step) seen.recentAgain++;
          }
          checkState(state, model.online);
          seen.longestQueue = Math.max(seen.longestQueue, state.waiting);
        }
      }
      assert.ok(seen.longestQueue >= 4, "queues held several visitors, so the order was put to the test");
      assert.ok(seen.shared > 100, "pairs were made on common interests");
      if (options.interestWaitMs > 0) assert.ok(seen.afterWait > 100, "ticks paired visitors whose wait was over");
    });
  }
});

describe("events told to visitors", () => {
  const waiting = (to: string): MatchEvent => ({ type: "waiting", to, pool: "public" });
  const matched = (to: string, partner: string): MatchEvent => ({ type: "matched", to, partner, role: "caller", pool: "public" });
  const left = (to: string, partner: string): MatchEvent => ({ type: "partner-left", to, partner, reason: "next" });

  test("when a delivery queues a visitor and then pairs them, then only the match is told", () => {
    const batch = [waiting("a"), waiting("c"), matched("a", "b"), matched("b", "a")];
    assert.deepEqual(current(batch), [waiting("c"), matched("a", "b"), matched("b", "a")]);
  });

  test("when a visitor waits again after its match ended, then that later wait is told", () => {
    const batch = [waiting("a"), matched("a", "b"), left("a", "b"), waiting("a")];
    assert.deepEqual(current(batch), [matched("a", "b"), left("a", "b"), waiting("a")]);
  });

  test("when nothing is out of date, then the events are told as they are", () => {
    const batch = [matched("a", "b"), waiting("c")];
    assert.equal(current(batch), batch);
  });
});

describe("report blocks", () => {
  test("when more pairs are blocked than the cap, then the oldest are forgotten first", () => {
    const s = createMatchState();
    for (let i = 0; i <= BLOCK.max; i++) block(s, `x${i}`, "y", 1_000, 0);
    assert.equal(s.blocked.size, BLOCK.max);
    assert.equal(s.blocked.has("x0 y"), false);
    assert.equal(s.blocked.has("x1 y"), true);
    block(s, "x1", "z", 5_010, 5_000); // every earlier block has expired by now
    assert.deepEqual([...s.blocked.keys()], ["x1 z"]);
  });
});

describe("memory store", () => {
  test("when commands are awaited, then they give the core's events and count the waiting", async () => {
    const store = createMemoryStore();
    await store.find("a", defaultWish(), 1);
    await store.find("b", defaultWish("bots"), 2);
    assert.equal(await store.waiting(), 2);
    const events = await store.find("c", defaultWish(), 3);
    assert.deepEqual(events.map((e) => e.type), ["matched", "matched"]);
    assert.equal(await store.waiting(), 1);
    assert.deepEqual(await store.disconnect("b", 4), []);
    assert.equal(await store.waiting(), 0);
    assert.deepEqual(await store.tick(5), []);
  });
});
