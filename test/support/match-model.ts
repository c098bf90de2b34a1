/**
 * The matchmaking rules written as plainly as possible (arrays and linear
 * scans), for randomized tests of the core and of every store; a seedable
 * random source; and the invariants every command's events must keep.
 */
import assert from "node:assert/strict";
import type { MatchEvent } from "../../src/matchmaker/core.ts";

/** mulberry32: small, seedable, good enough to pick commands. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rules written as plainly as possible: arrays and linear scans. */
export class Model {
  waiting: Array<{ id: string; pool: string }> = [];
  partner = new Map<string, string>();
  /** Each visitor's previous partner. */
  last = new Map<string, string>();
  online = new Set<string>();

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

  find(id: string, pool: string): MatchEvent[] {
    this.online.add(id);
    if (this.waiting.some((w) => w.id === id && w.pool === pool)) return [{ type: "waiting", to: id, pool }];
    const out: MatchEvent[] = [];
    this.release(id, "next", out);
    const chosen = this.waiting.find((w) => w.pool === pool && w.id !== this.last.get(id));
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
    return out;
  }
}

/** No self-pair, no pair with a departed visitor. */
export function checkEvents(events: MatchEvent[], online: Set<string>) {
  for (const e of events) {
    if (e.type !== "matched") continue;
    assert.notEqual(e.partner, e.to, "no self-pair");
    assert.ok(online.has(e.partner) && online.has(e.to), "no pair with a departed visitor");
  }
}

