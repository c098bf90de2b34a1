/**
 * The matchmaking commands, as pure functions over plain state: no sockets,
 * no timers, no clock (the caller passes `now`, and calls tick() as time
 * passes). Each command returns the events to deliver; a store applies
 * commands atomically (see store.ts).
 *
 * A visitor is idle, waiting in one group, or paired with one partner. A
 * newcomer is paired at once with the best waiting candidate (rules.ts says
 * who qualifies and who comes first), or waits. One with a language or
 * interests holds out for someone who shares one for interestWaitMs, then
 * accepts anyone: tick() pairs those whose wait has just ended. Next, stop
 * and disconnect dissolve the pair and tell the partner. Two visitors whose
 * addresses, or ids, are blocked from each other (one reported the other;
 * blocked.ts) are never paired.
 */
import { commonInterests, type LeftReason, type Role, sameWish, type Wish } from "../protocol/index.ts";
import { blockPair } from "./blocked.ts";
import { choose, enqueue, openUp, unqueue } from "./queue.ts";
import { forget, remember, tagged } from "./rules.ts";
import type { MatchState, Visitor } from "./state.ts";

export { createMatchState, DEFAULT_MATCH_OPTIONS, type MatchOptions, type MatchState, type Visitor } from "./state.ts";

export type MatchEvent =
  | { readonly type: "waiting"; readonly to: string; readonly pool: string }
  | {
    readonly type: "matched";
    readonly to: string;
    readonly partner: string;
    /** The caller opens the connections; the callee answers. */
    readonly role: Role;
    readonly pool: string;
    /** Interests both share, when any: the only ones either side is shown. */
    readonly interests?: readonly string[];
  }
  | { readonly type: "partner-left"; readonly to: string; readonly partner: string; readonly reason: LeftReason };

/**
 * The events worth telling, in order: a "waiting" followed, in the same
 * delivery, by a "matched" for the same visitor is out of date before it is
 * sent. The Redis store delivers a whole batch of commands at once, in which
 * half the visitors of a burst wait and are matched; sending each of them a
 * WAITING too was a third of the frames written (BENCHMARKS.md).
 * @example
 * current([{ type: "waiting", to: "a", pool: "public" }, matchedA, matchedB]); // [matchedA, matchedB]
 */
export function current(events: readonly MatchEvent[]): readonly MatchEvent[] {
  if (events.length < 2 || !events.some((event) => event.type === "waiting")) return events;
  const matchedLater = new Set<string>();
  const stale = new Set<number>();
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.type === "matched") matchedLater.add(event.to);
    else if (event.type === "waiting" && matchedLater.has(event.to)) stale.add(i);
  }
  return stale.size === 0 ? events : events.filter((_, i) => !stale.has(i));
}

/**
 * Find a partner for what `wish` asks (Next, when already paired): pair at
 * once or wait. `address` is the visitor's address key, for the report rule.
 */
export function find(state: MatchState, id: string, wish: Wish, now: number, address?: string): MatchEvent[] {
  const me = visitor(state, id, wish);
  if (address !== undefined) me.address = address;
  // Asking again for the same while waiting keeps one's place in the queue.
  if (me.queue !== null && sameWish(me.wish, wish)) return [{ type: "waiting", to: id, pool: wish.pool }];
  const events: MatchEvent[] = [];
  release(state, me, "next", events);
  me.wish = wish;
  // A newcomer with tags looks only for someone who shares one (unless there is no wait at all).
  me.open = !tagged(wish) || state.options.interestWaitMs <= 0;
  const partner = choose(state, me, now);
  if (partner) {
    pair(state, me, partner, now, events);
  } else {
    me.pool = wish.pool;
    enqueue(state, me, now);
    events.push({ type: "waiting", to: me.id, pool: wish.pool });
  }
  return events;
}

/**
 * Time has passed: visitors whose wait for a shared language or interest is
 * over now accept anyone, and are paired if anyone suitable waits. Costs one
 * choice per visitor whose wait ended since the last call.
 */
export function tick(state: MatchState, now: number): MatchEvent[] {
  const events: MatchEvent[] = [];
  const wait = state.options.interestWaitMs;
  for (const v of state.pending.values()) {
    if (now - v.since < wait) break; // in order of arrival, so the rest wait longer
    openUp(state, v);
    const partner = choose(state, v, now);
    if (!partner) continue;
    unqueue(state, v);
    pair(state, v, partner, now, events);
  }
  return events;
}

/** Visitors at addresses `a` and `b` (or, behind one address, with ids `a` and `b`) are not paired until `until`. */
export function block(state: MatchState, a: string, b: string, until: number, now: number): MatchEvent[] {
  blockPair(state.blocked, a, b, until, now);
  return [];
}

/** Leave the partner or the queue and stay idle. */
export function stop(state: MatchState, id: string): MatchEvent[] {
  const events: MatchEvent[] = [];
  const me = state.visitors.get(id);
  if (me) release(state, me, "stop", events);
  return events;
}

/** The visitor is gone: dissolve its pair and forget it. */
export function disconnect(state: MatchState, id: string): MatchEvent[] {
  const events: MatchEvent[] = [];
  const me = state.visitors.get(id);
  if (!me) return events;
  release(state, me, "disconnect", events);
  forget(state, me);
  state.visitors.delete(id);
  return events;
}

export function waitingCount(state: MatchState): number {
  return state.waiting;
}

function visitor(state: MatchState, id: string, wish: Wish): Visitor {
  let v = state.visitors.get(id);
  if (!v) {
    v = { id, pool: null, partner: null, last: null, since: 0, wish, seq: 0, open: false, queue: null, slot: null, met: [], address: null };
    state.visitors.set(id, v);
  }
  return v;
}

/** Pairs `me` (not waiting) with `partner` (waiting): `me` calls. */
function pair(state: MatchState, me: Visitor, partner: Visitor, now: number, events: MatchEvent[]): void {
  unqueue(state, partner);
  const pool = me.wish.pool;
  me.pool = partner.pool = pool;
  me.partner = partner.id;
  partner.partner = me.id;
  remember(state, me, partner, now);
  const interests = commonInterests(me.wish.interests, partner.wish.interests);
  if (interests.length === 0) {
    events.push(
      { type: "matched", to: me.id, partner: partner.id, role: "caller", pool },
      { type: "matched", to: partner.id, partner: me.id, role: "callee", pool },
    );
  } else {
    events.push(
      { type: "matched", to: me.id, partner: partner.id, role: "caller", pool, interests },
      { type: "matched", to: partner.id, partner: me.id, role: "callee", pool, interests },
    );
  }
}

/** Takes `me` out of its queue or its pair; the partner is told why. */
function release(state: MatchState, me: Visitor, reason: LeftReason, events: MatchEvent[]): void {
  if (me.partner !== null) {
    const partner = state.visitors.get(me.partner);
    if (partner) {
      partner.partner = partner.pool = null;
      partner.last = me.id;
      events.push({ type: "partner-left", to: partner.id, partner: me.id, reason });
    }
    me.last = me.partner;
    me.partner = null;
  } else {
    unqueue(state, me);
  }
  me.pool = null;
}
