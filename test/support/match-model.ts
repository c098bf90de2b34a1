/**
 * The matchmaking rules written as plainly as possible (arrays, linear scans
 * and a sort), for randomized tests of the core and of every store; a
 * seedable random source and random wishes; and the invariants every
 * command's events must keep.
 */
import assert from "node:assert/strict";
import type { MatchEvent, MatchOptions } from "../../src/matchmaker/core.ts";
import { defaultWish, type Gender, type LookingFor, type Wish } from "../../src/protocol/index.ts";

/** mulberry32: small, seedable, good enough to pick commands. */
export function random(seed: number): () => number {
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
export class Model {
  waiting: Waiter[] = [];
  partner = new Map<string, string>();
  /** Each visitor's previous partner. */
  last = new Map<string, string>();
  /** Each visitor's recent strangers, oldest first, kept symmetric. */
  met = new Map<string, Map<string, number>>();
  online = new Set<string>();
  /** Each visitor's address (several share one, as behind a NAT). */
  address = new Map<string, string>();
  /** Address (or id) pairs blocked by a report, and until when. */
  blocks: Array<{ a: string; b: string; until: number }> = [];
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
    if (w.id === me.id || this.last.get(me.id) === w.id || this.blocked(me.id, w.id, now)) return null;
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

  /** Blocked by their addresses, or by their ids. */
  blocked(x: string, y: string, now: number): boolean {
    const [a, b] = [this.address.get(x), this.address.get(y)];
    const has = (p: string | undefined, q: string | undefined) =>
      p !== undefined && q !== undefined &&
      this.blocks.some((k) => k.until > now && ((k.a === p && k.b === q) || (k.a === q && k.b === p)));
    return has(a, b) || has(x, y);
  }

  block(a: string, b: string, until: number): MatchEvent[] {
    this.blocks = this.blocks.filter((k) => !((k.a === a && k.b === b) || (k.a === b && k.b === a)));
    this.blocks.push({ a, b, until });
    return [];
  }

  find(id: string, wish: Wish, now: number, address?: string): MatchEvent[] {
    if (address !== undefined) this.address.set(id, address);
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
    this.address.delete(id);
    for (const other of this.met.get(id)?.keys() ?? []) this.met.get(other)?.delete(id);
    this.met.delete(id);
    return out;
  }
}


export function randomWish(rnd: () => number): Wish {
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


/** No self-pair, no pair with a departed visitor. */
export function checkEvents(events: MatchEvent[], online: Set<string>) {
  for (const e of events) {
    if (e.type !== "matched") continue;
    assert.notEqual(e.partner, e.to, "no self-pair");
    assert.ok(online.has(e.partner) && online.has(e.to), "no pair with a departed visitor");
  }
}
