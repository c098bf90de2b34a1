/**
 * The matchmaking core under thousands of random interleavings of
 * find (join / Next), stop and disconnect, checked against a naive model.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMatchState, disconnect, find, type MatchEvent, type MatchState, stop } from "../src/matchmaker/core.ts";
import { createMemoryStore } from "../src/matchmaker/store.ts";
import { checkEvents, Model, random } from "./support/match-model.ts";

/** Invariants that must hold after every command, whatever the model says. */
function checkState(state: MatchState, online: Set<string>) {
  const queued = new Set<string>();
  for (const [pool, queue] of state.queues) {
    assert.ok(queue.size > 0, "no empty queues are kept");
    for (const [id, v] of queue) {
      assert.ok(!queued.has(id), `${id} waits in one queue only`);
      queued.add(id);
      assert.equal(v.pool, pool);
      assert.equal(v.partner, null, `${id} waits while paired`);
      assert.ok(online.has(id), `departed ${id} still waits`);
    }
  }
  for (const v of state.visitors.values()) {
    assert.ok(online.has(v.id), `departed ${v.id} is still known`);
    if (v.partner === null) continue;
    assert.notEqual(v.partner, v.id, "nobody is paired with themself");
    const p = state.visitors.get(v.partner);
    assert.ok(p, `${v.id}'s partner ${v.partner} departed`);
    assert.equal(p.partner, v.id, "pairs are mutual (no one has two partners)");
    assert.equal(p.pool, v.pool, "partners share a pool");
  }
}

describe("matchmaking core", () => {
  test("when two visitors wait in the same pool, then they are paired at once with opposite roles", () => {
    const s = createMatchState();
    assert.deepEqual(find(s, "a", "public", 1), [{ type: "waiting", to: "a", pool: "public" }]);
    assert.deepEqual(find(s, "b", "public", 2), [
      { type: "matched", to: "b", partner: "a", role: "caller", pool: "public" },
      { type: "matched", to: "a", partner: "b", role: "callee", pool: "public" },
    ]);
  });

  test("when visitors wait in different pools, then they are not paired", () => {
    const s = createMatchState();
    find(s, "a", "public", 1);
    assert.deepEqual(find(s, "b", "bots-1", 2), [{ type: "waiting", to: "b", pool: "bots-1" }]);
  });

  test("when a paired visitor presses Next and a third waits, then it gets the third and the partner is told", () => {
    const s = createMatchState();
    find(s, "a", "p", 1);
    find(s, "b", "p", 2);
    find(s, "c", "p", 3);
    assert.deepEqual(find(s, "b", "p", 4), [
      { type: "partner-left", to: "a", partner: "b", reason: "next" },
      { type: "matched", to: "b", partner: "c", role: "caller", pool: "p" },
      { type: "matched", to: "c", partner: "b", role: "callee", pool: "p" },
    ]);
  });

  test("when the left partner is the only one waiting, then they are not paired again, and a newcomer gets the one waiting longest", () => {
    const s = createMatchState();
    find(s, "a", "p", 1);
    find(s, "b", "p", 2);
    find(s, "b", "p", 3); // Next: a is told, b waits
    assert.deepEqual(find(s, "a", "p", 4), [{ type: "waiting", to: "a", pool: "p" }]);
    assert.deepEqual(find(s, "c", "p", 5).map((e) => [e.to, e.type === "matched" && e.partner]), [["c", "b"], ["b", "c"]]);
    assert.deepEqual(find(s, "d", "p", 6).map((e) => [e.to, e.type === "matched" && e.partner]), [["d", "a"], ["a", "d"]]);
  });

  test("when two who parted have each had another partner since, then they may meet again", () => {
    const s = createMatchState();
    find(s, "a", "p", 1);
    find(s, "b", "p", 2);
    find(s, "a", "p", 3); // a presses Next and waits; b is told
    find(s, "c", "p", 4); // c gets a
    find(s, "b", "p", 5); // b waits: a is taken
    find(s, "c", "p", 6); // c moves on to b; a is told
    const events = find(s, "a", "p", 7); // a last talked to c, who is paired: a waits
    assert.deepEqual(events, [{ type: "waiting", to: "a", pool: "p" }]);
    find(s, "b", "p", 8); // b leaves c (its last is now c) and may meet a again
    assert.equal(s.visitors.get("b")!.partner, "a");
  });

  test("when a waiting visitor asks again, then it keeps its place", () => {
    const s = createMatchState();
    find(s, "a", "p", 1);
    find(s, "b", "q", 2);
    find(s, "a", "p", 3);
    find(s, "c", "p", 4);
    assert.deepEqual([...s.queues.keys()], ["q"]);
  });

  test("when a visitor disconnects, then its partner is told and it is forgotten", () => {
    const s = createMatchState();
    find(s, "a", "p", 1);
    find(s, "b", "p", 2);
    assert.deepEqual(disconnect(s, "a"), [{ type: "partner-left", to: "b", partner: "a", reason: "disconnect" }]);
    assert.equal(s.visitors.has("a"), false);
    assert.deepEqual(disconnect(s, "a"), []);
    assert.deepEqual(stop(s, "b"), []);
  });

  test("when thousands of random interleavings run, then the invariants hold and the core agrees with the model", () => {
    const ids = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const pools = ["public", "public", "bots"];
    let longestQueue = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const rnd = random(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
      const state = createMatchState();
      const model = new Model();
      for (let step = 0; step < 100; step++) {
        const id = pick(ids);
        const op = rnd();
        const label = `seed ${seed} step ${step}`;
        let got: MatchEvent[];
        let want: MatchEvent[];
        if (op < 0.6) {
          const pool = pick(pools);
          got = find(state, id, pool, step);
          want = model.find(id, pool);
        } else if (op < 0.75) {
          got = stop(state, id);
          want = model.stop(id);
        } else {
          got = disconnect(state, id);
          want = model.disconnect(id);
        }
        assert.deepEqual(got, want, label);
        checkEvents(got, model.online);
        checkState(state, model.online);
        for (const queue of state.queues.values()) longestQueue = Math.max(longestQueue, queue.size);
      }
    }
    assert.ok(longestQueue >= 2, "queues held several visitors, so oldest-first was put to the test");
  });
});

describe("memory store", () => {
  test("when commands are awaited, then they give the core's events and count the waiting", async () => {
    const store = createMemoryStore();
    await store.find("a", "public", 1);
    await store.find("b", "bots", 2);
    assert.equal(await store.waiting(), 2);
    const events = await store.find("c", "public", 3);
    assert.deepEqual(events.map((e) => e.type), ["matched", "matched"]);
    assert.equal(await store.waiting(), 1);
    assert.deepEqual(await store.disconnect("b", 4), []);
    assert.equal(await store.waiting(), 0);
  });
});
