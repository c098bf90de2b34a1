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
  disconnect,
  find,
  type MatchEvent,
  type MatchOptions,
  type MatchState,
  stop,
  tick,
} from "../src/matchmaker/core.ts";
import { createMemoryStore } from "../src/matchmaker/store.ts";
import { defaultWish, type Gender, type LookingFor, type Wish } from "../src/protocol/index.ts";

/** mulberry32: small, seedable, good enough to pick commands. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "Show me" → the declarations it admits, written out. */
const WANTS: Record<LookingFor, readonly Gender[]> = {
  anyone: ["woman", "man", "other", "unsaid"],
  women: ["woman"],
  men: ["man"],
  other: ["other"],
};

interface Waiter {
  id: string;
  wish: Wish;
  since: number;
  seq: number;
  open: boolean;
}

/** The rules written as plainly as possible: arrays, linear scans and a sort. */
class Model {
  waiting: Waiter[] = [];
  partner = new Map<string, string>();
  /** Each visitor's previous partner. */
  last = new Map<string, string>();
  /** Each visitor's recent strangers, oldest first, kept symmetric. */
  met = new Map<string, Map<string, number>>();
  online = new Set<string>();
  seq = 0;
  options: MatchOptions;
  constructor(options: MatchOptions) {
    this.options = options;
  }

  tags(w: Wish) {
    return w.language !== null || w.interests.length > 0;
  }

  /** Who may be paired with `me` at all, and how well: [met recently, tier] (lower is better), or null. */
  rank(me: Waiter, w: Waiter, now: number): [number, number] | null {
    const a = me.wish, b = w.wish;
    if (w.id === me.id || this.last.get(me.id) === w.id) return null;
    if (a.pool !== b.pool || a.textOnly !== b.textOnly) return null;
    const undeclared = { gender: "unsaid", lookingFor: "anyone" } as const;
    const [pa, pb] = [a.preferences ?? undeclared, b.preferences ?? undeclared];
    if (!WANTS[pa.lookingFor].includes(pb.gender) || !WANTS[pb.lookingFor].includes(pa.gender)) return null;
    const sameLanguage = a.language !== null && a.language === b.language;
    const common = a.interests.some((i) => b.interests.includes(i));
    if (!sameLanguage && !common && !(me.open && w.open)) return null;
    const at = this.met.get(me.id)?.get(w.id);
    const recent = at !== undefined && now - at < this.options.recentMs ? 1 : 0;
    return [recent, sameLanguage && common ? 0 : sameLanguage ? 1 : common ? 2 : 3];
  }

  choose(me: Waiter, now: number): Waiter | undefined {
    const ranked = this.waiting.map((w) => ({ w, r: this.rank(me, w, now) })).filter((x) => x.r !== null);
    ranked.sort((x, y) => x.r![0] - y.r![0] || x.r![1] - y.r![1] || x.w.seq - y.w.seq);
    return ranked[0]?.w;
  }

  meet(a: string, b: string, now: number) {
    for (const [x, y] of [[a, b], [b, a]]) {
      const m = this.met.get(x) ?? new Map<string, number>();
      this.met.set(x, m);
      m.delete(y);
      m.set(y, now);
    }
    for (const x of [a, b]) {
      const m = this.met.get(x)!;
      while (m.size > this.options.recentCount) {
        const oldest = [...m.keys()][0];
        m.delete(oldest);
        this.met.get(oldest)?.delete(x);
      }
    }
  }

  pair(me: Waiter, chosen: Waiter, now: number, out: MatchEvent[]) {
    this.waiting = this.waiting.filter((w) => w.id !== chosen.id && w.id !== me.id);
    this.partner.set(me.id, chosen.id);
    this.partner.set(chosen.id, me.id);
    this.meet(me.id, chosen.id, now);
    const pool = me.wish.pool;
    const interests = me.wish.interests.filter((i) => chosen.wish.interests.includes(i));
    const shared = interests.length > 0 ? { interests } : {};
    out.push(
      { type: "matched", to: me.id, partner: chosen.id, role: "caller", pool, ...shared },
      { type: "matched", to: chosen.id, partner: me.id, role: "callee", pool, ...shared },
    );
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

  find(id: string, wish: Wish, now: number): MatchEvent[] {
    this.online.add(id);
    if (this.waiting.some((w) => w.id === id && JSON.stringify(w.wish) === JSON.stringify(wish))) {
      return [{ type: "waiting", to: id, pool: wish.pool }];
    }
    const out: MatchEvent[] = [];
    this.release(id, "next", out);
    const me = { id, wish, since: now, seq: 0, open: !this.tags(wish) || this.options.interestWaitMs <= 0 };
    const chosen = this.choose(me, now);
    if (chosen) {
      this.pair(me, chosen, now, out);
    } else {
      me.seq = ++this.seq;
      this.waiting.push(me);
      out.push({ type: "waiting", to: id, pool: wish.pool });
    }
    return out;
  }

  tick(now: number): MatchEvent[] {
    const out: MatchEvent[] = [];
    for (const w of [...this.waiting]) {
      if (w.open || now - w.since < this.options.interestWaitMs || !this.waiting.includes(w)) continue;
      w.open = true;
      const chosen = this.choose(w, now);
      if (chosen) this.pair(w, chosen, now, out);
    }
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
    for (const other of this.met.get(id)?.keys() ?? []) this.met.get(other)?.delete(id);
    this.met.delete(id);
    return out;
  }
}

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

function randomWish(rnd: () => number): Wish {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const interests = ["music", "chess", "art"].filter(() => rnd() < 0.3);
  const wish = {
    ...defaultWish(pick(["public", "public", "bots"])),
    interests,
    language: pick([null, null, "en", "en", "zh"]),
    textOnly: rnd() < 0.15,
  };
  if (rnd() < 0.3) {
    return { ...wish, preferences: { gender: pick(["woman", "man", "other", "unsaid"] as const), lookingFor: pick(["anyone", "anyone", "women", "men", "other"] as const) } };
  }
  return wish;
}

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
          if (op < 0.5) {
            const wish = randomWish(rnd);
            got = find(state, id, wish, step);
            want = model.find(id, wish, step);
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
