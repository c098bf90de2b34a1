/**
 * The matchmaking rules, as pure functions over plain state: no sockets, no
 * timers, no clock (the caller passes `now`). Each command returns the events
 * to deliver; a store applies commands atomically (see store.ts).
 *
 * Rules: a visitor is idle, waiting in one pool, or paired with one partner.
 * A newcomer pairs with the oldest visitor waiting in its pool, except the
 * one it was last paired with: Next means another stranger, so two visitors
 * who just parted wait for someone new rather than meet again at once.
 * Next, stop and disconnect dissolve the pair and tell the partner. Two
 * visitors whose addresses, or ids, are blocked from each other (one
 * reported the other; blocked.ts) are never paired.
 */
import type { LeftReason, Role } from "../protocol/index.ts";
import { blockPair, type BlockedPairs, isBlocked } from "./blocked.ts";

export type MatchEvent =
  | { readonly type: "waiting"; readonly to: string; readonly pool: string }
  | {
    readonly type: "matched";
    readonly to: string;
    readonly partner: string;
    /** The caller opens the connections; the callee answers. */
    readonly role: Role;
    readonly pool: string;
  }
  | { readonly type: "partner-left"; readonly to: string; readonly partner: string; readonly reason: LeftReason };

export interface Visitor {
  readonly id: string;
  /** The pool it waits or talks in; null when idle. */
  pool: string | null;
  partner: string | null;
  /** Its previous partner, whom it is not paired with again straight away. */
  last: string | null;
  /** When it last started waiting, from the caller's clock. */
  since: number;
  /** Its address key, for the report rule; null when the caller gave none. */
  address: string | null;
}

export interface MatchState {
  readonly visitors: Map<string, Visitor>;
  /** Waiting visitors per pool, oldest first (Map keeps insertion order). */
  readonly queues: Map<string, Map<string, Visitor>>;
  /** Address pairs that may not meet (see blocked.ts). */
  readonly blocked: BlockedPairs;
}

export function createMatchState(): MatchState {
  return { visitors: new Map(), queues: new Map(), blocked: new Map() };
}

/**
 * Find a partner in `pool` (Next, when already paired): pair at once or
 * wait. `address` is the visitor's address key, for the report rule.
 */
export function find(state: MatchState, id: string, pool: string, now: number, address?: string): MatchEvent[] {
  const me = visitor(state, id);
  if (address !== undefined) me.address = address;
  // Asking again while waiting keeps one's place in the queue.
  if (me.pool === pool && me.partner === null) return [{ type: "waiting", to: id, pool }];
  const events: MatchEvent[] = [];
  release(state, me, "next", events);
  const partner = oldestWaiting(state.queues.get(pool), (v) => v.id !== me.last && !reported(state, me, v, now));
  if (partner) {
    unqueue(state, partner);
    me.pool = partner.pool = pool;
    me.partner = partner.id;
    partner.partner = me.id;
    events.push(
      { type: "matched", to: me.id, partner: partner.id, role: "caller", pool },
      { type: "matched", to: partner.id, partner: me.id, role: "callee", pool },
    );
  } else {
    me.pool = pool;
    me.since = now;
    let waiting = state.queues.get(pool);
    if (!waiting) state.queues.set(pool, waiting = new Map());
    waiting.set(me.id, me);
    events.push({ type: "waiting", to: me.id, pool });
  }
  return events;
}

/** Leave the partner or the queue and stay idle. */
export function stop(state: MatchState, id: string): MatchEvent[] {
  const events: MatchEvent[] = [];
  const me = state.visitors.get(id);
  if (me) release(state, me, "stop", events);
  return events;
}

/** `a` and `b`, address keys or visitor ids, are not to be paired until `until` (a report; see blocked.ts). */
export function block(state: MatchState, a: string, b: string, until: number, now: number): MatchEvent[] {
  blockPair(state.blocked, a, b, until, now);
  return [];
}

/** The visitor is gone: dissolve its pair and forget it. */
export function disconnect(state: MatchState, id: string): MatchEvent[] {
  const events: MatchEvent[] = [];
  const me = state.visitors.get(id);
  if (!me) return events;
  release(state, me, "disconnect", events);
  state.visitors.delete(id);
  return events;
}

export function waitingCount(state: MatchState): number {
  let n = 0;
  for (const queue of state.queues.values()) n += queue.size;
  return n;
}

function visitor(state: MatchState, id: string): Visitor {
  let v = state.visitors.get(id);
  if (!v) state.visitors.set(id, v = { id, pool: null, partner: null, last: null, since: 0, address: null });
  return v;
}

/**
 * The oldest in `queue` that `may` pair with: usually the first, else the
 * second (a visitor waits once, so `last` is at most one of them), unless
 * blocked addresses wait ahead.
 */
function oldestWaiting(queue: Map<string, Visitor> | undefined, may: (v: Visitor) => boolean): Visitor | undefined {
  if (!queue) return undefined;
  for (const v of queue.values()) {
    if (may(v)) return v;
  }
  return undefined;
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
  } else if (me.pool !== null) {
    unqueue(state, me);
  }
  me.pool = null;
}

/** One of the two reported the other: their addresses, or (behind one address) their ids, are blocked. */
function reported(state: MatchState, a: Visitor, b: Visitor, now: number): boolean {
  return isBlocked(state.blocked, a.address, b.address, now) || isBlocked(state.blocked, a.id, b.id, now);
}

function unqueue(state: MatchState, v: Visitor): void {
  if (v.pool === null) return;
  const queue = state.queues.get(v.pool);
  if (!queue) return;
  queue.delete(v.id);
  if (queue.size === 0) state.queues.delete(v.pool);
}
