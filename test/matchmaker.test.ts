/**
 * The matchmaking core under thousands of random interleavings of
 * find (join / Next), stop, disconnect and report blocks, checked against
 * a naive model.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BLOCK } from "../src/matchmaker/blocked.ts";
import { block, createMatchState, disconnect, find, type MatchEvent, type MatchState, stop } from "../src/matchmaker/core.ts";
import { createMemoryStore } from "../src/matchmaker/store.ts";

/** mulberry32: small, seedable, good enough to pick commands. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rules written as plainly as possible: arrays and linear scans. */
class Model {
  waiting: Array<{ id: string; pool: string }> = [];
  partner = new Map<string, string>();
  /** Each visitor's previous partner. */
  last = new Map<string, string>();
  online = new Set<string>();
  /** Each visitor's address (several share one, as behind a NAT). */
  address = new Map<string, string>();
  /** Address pairs blocked by a report, and until when. */
  blocks: Array<{ a: string; b: string; until: number }> = [];

  /** Blocked by their addresses, or by their ids. */
  blocked(x: string, y: string, now: number): boolean {
    const [a, b] = [this.address.get(x), this.address.get(y)];
    const has = (p: string | undefined, q: string | undefined) =>
      this.blocks.some((k) => k.until > now && ((k.a === p && k.b === q) || (k.a === q && k.b === p)));
    return has(a, b) || has(x, y);
  }

  block(a: string, b: string, until: number) {
    this.blocks = this.blocks.filter((k) => !((k.a === a && k.b === b) || (k.a === b && k.b === a)));
    this.blocks.push({ a, b, until });
  }

  release(id: string, reason: string, out: MatchEvent[]) {
    const p = this.partner.get(id);
    if (p !== undefined) {
      this.partner.delete(id);
      this.partner.delete(p);
      this.last.set(id, p);
      this.last.set(p, id);
      out.push({ type: "partner-left", to: p, partner: id, reason } as MatchEvent);
    }
    this.waiting = this.waiting.filter((w) => w.id !== id);
  }

  find(id: string, pool: string, now: number, address: string): MatchEvent[] {
    this.online.add(id);
    this.address.set(id, address);
    if (this.waiting.some((w) => w.id === id && w.pool === pool)) return [{ type: "waiting", to: id, pool }];
    const out: MatchEvent[] = [];
    this.release(id, "next", out);
    const chosen = this.waiting.find((w) => w.pool === pool && w.id !== this.last.get(id) && !this.blocked(id, w.id, now));
    if (!chosen) {
      this.waiting.push({ id, pool });
      out.push({ type: "waiting", to: id, pool });
      return out;
    }
    this.waiting = this.waiting.filter((w) => w !== chosen);
    this.partner.set(id, chosen.id);
    this.partner.set(chosen.id, id);
    out.push(
      { type: "matched", to: id, partner: chosen.id, role: "caller", pool },
      { type: "matched", to: chosen.id, partner: id, role: "callee", pool },
    );
    return out;
  }

  stop(id: string): MatchEvent[] {
    const out: MatchEvent[] = [];
    this.release(id, "stop", out);
    return out;
  }

  disconnect(id: string): MatchEvent[] {
    const out: MatchEvent[] = [];
    if (!this.online.delete(id)) return out;
    this.release(id, "disconnect", out);
    this.last.delete(id); // a departed visitor is forgotten; coming back is a new visit
    this.address.delete(id);
    return out;
  }
}

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

function checkEvents(events: MatchEvent[], model: Model, now: number) {
  for (const e of events) {
    if (e.type !== "matched") continue;
    assert.notEqual(e.partner, e.to, "no self-pair");
    assert.ok(model.online.has(e.partner) && model.online.has(e.to), "no pair with a departed visitor");
    assert.ok(!model.blocked(e.to, e.partner, now), "no pair of addresses blocked by a report");
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

  test("when one reported the other, then their addresses are not paired while blocked, whoever else waits", () => {
    const s = createMatchState();
    find(s, "a", "p", 1, "addr-a");
    block(s, "addr-a", "addr-b", 100, 1);
    assert.deepEqual(find(s, "b", "p", 2, "addr-b"), [{ type: "waiting", to: "b", pool: "p" }]);
    disconnect(s, "b");
    const again = find(s, "b2", "p", 3, "addr-b"); // b reconnected, with a new identity
    assert.deepEqual(again, [{ type: "waiting", to: "b2", pool: "p" }]);
    assert.equal(find(s, "c", "p", 4, "addr-c")[0].type, "matched", "a third address gets the oldest waiting");
    assert.equal(s.visitors.get("c")!.partner, "a");
    stop(s, "c");
    stop(s, "a");
    assert.deepEqual(find(s, "a", "p", 99, "addr-a"), [{ type: "waiting", to: "a", pool: "p" }], "b2 still waits, blocked");
    stop(s, "a");
    assert.equal(find(s, "a", "p", 100, "addr-a")[0].type, "matched", "the block has expired");
    assert.equal(s.visitors.get("a")!.partner, "b2");
  });

  test("when two behind one address are blocked by their ids, then they are kept apart and everyone else at that address is not", () => {
    const s = createMatchState();
    block(s, "a", "b", 100, 0);
    find(s, "a", "p", 1, "nat");
    assert.deepEqual(find(s, "b", "p", 2, "nat"), [{ type: "waiting", to: "b", pool: "p" }]);
    assert.equal(find(s, "c", "p", 3, "nat")[0].type, "matched", "a third visitor at that address meets a");
  });

  test("when more pairs are blocked than the cap, then the oldest are forgotten first", () => {
    const s = createMatchState();
    for (let i = 0; i <= BLOCK.max; i++) block(s, `x${i}`, "y", 1_000, 0);
    assert.equal(s.blocked.size, BLOCK.max);
    assert.equal(s.blocked.has("x0 y"), false);
    assert.equal(s.blocked.has("x1 y"), true);
    block(s, "x1", "z", 5_010, 5_000); // every earlier block has expired by now
    assert.deepEqual([...s.blocked.keys()], ["x1 z"]);
  });

  test("when thousands of random interleavings run, then the invariants hold and the core agrees with the model", () => {
    const ids = Array.from({ length: 10 }, (_, i) => `v${i}`);
    // Fewer addresses than visitors: some share one, so a block keeps several apart.
    const addressOf = (id: string) => `addr-${Number(id.slice(1)) % 6}`;
    const pools = ["public", "public", "bots"];
    let longestQueue = 0;
    let blocks = 0;
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
        if (op < 0.55) {
          const pool = pick(pools);
          got = find(state, id, pool, step, addressOf(id));
          want = model.find(id, pool, step, addressOf(id));
        } else if (op < 0.6) {
          // A report: blocks the reporter's address and another's (or, at one address, the two ids), for a while.
          const other = pick(ids);
          const [a, b] = addressOf(id) === addressOf(other) ? [id, other] : [addressOf(id), addressOf(other)];
          const until = step + Math.floor(rnd() * 30);
          got = block(state, a, b, until, step);
          want = [];
          model.block(a, b, until);
          blocks++;
        } else if (op < 0.75) {
          got = stop(state, id);
          want = model.stop(id);
        } else {
          got = disconnect(state, id);
          want = model.disconnect(id);
        }
        assert.deepEqual(got, want, label);
        checkEvents(got, model, step);
        checkState(state, model.online);
        for (const queue of state.queues.values()) longestQueue = Math.max(longestQueue, queue.size);
      }
    }
    assert.ok(longestQueue >= 2, "queues held several visitors, so oldest-first was put to the test");
    assert.ok(blocks > 1000, "blocks were put to the test");
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

  test("when two addresses are blocked, then the store keeps them apart until the block ends", async () => {
    const store = createMemoryStore();
    await store.block("k1", "k2", 10, 1);
    await store.find("a", "public", 2, "k1");
    assert.deepEqual((await store.find("b", "public", 3, "k2")).map((e) => e.type), ["waiting"]);
    await store.stop("b", 4);
    assert.deepEqual((await store.find("b", "public", 10, "k2")).map((e) => e.type), ["matched", "matched"]);
  });
});
