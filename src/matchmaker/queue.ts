/**
 * Waiting visitors: filing them in their group's indexes, taking them out,
 * and choosing a partner by the rules of rules.ts.
 *
 * The cost of a choice is bounded whatever the queue's length: a chooser
 * looks at each index (≤ 16 classes × ≤ 13 indexes) from its oldest entry
 * and stops at the first candidate that qualifies, skipping only those the
 * rules rule out one by one: itself, its last partner, those blocked by a
 * report (rate-limited), and at most recentCount strangers it met recently.
 */
import {
  allowed,
  classKey,
  declarations,
  fits,
  groupKey,
  recent,
  tagged,
  tagsOf,
  tiersOf,
} from "./rules.ts";
import type { Group, MatchState, Visitor } from "./state.ts";

/** Files a visitor that starts waiting now. */
export function enqueue(state: MatchState, v: Visitor, now: number): void {
  const wish = v.wish;
  const key = groupKey(wish);
  let group = state.groups.get(key);
  if (!group) state.groups.set(key, group = { key, classes: new Map() });
  const declared = declarations(wish);
  const ck = classKey(declared);
  let queue = group.classes.get(ck);
  if (!queue) {
    queue = { group, key: ck, ...declared, untagged: new Map(), expired: new Map(), tags: new Map(), size: 0 };
    group.classes.set(ck, queue);
  }
  v.since = now;
  v.seq = ++state.seq;
  v.queue = queue;
  v.open = !tagged(wish) || state.options.interestWaitMs <= 0;
  queue.size++;
  state.waiting++;
  if (!tagged(wish)) {
    file(v, queue.untagged);
    return;
  }
  for (const tag of tagsOf(wish)) {
    let index = queue.tags.get(tag);
    if (!index) queue.tags.set(tag, index = new Map());
    index.set(v.id, v);
  }
  file(v, v.open ? queue.expired : state.pending);
}

function file(v: Visitor, slot: Map<string, Visitor>): void {
  slot.set(v.id, v);
  v.slot = slot;
}

/** Its wait is over: from now on it accepts anyone, and anyone open may take it. */
export function openUp(state: MatchState, v: Visitor): void {
  if (!v.queue) return;
  state.pending.delete(v.id);
  v.open = true;
  file(v, v.queue.expired);
}

/** Takes a waiting visitor out of every index; a no-op for one not waiting. */
export function unqueue(state: MatchState, v: Visitor): void {
  const queue = v.queue;
  if (!queue) return;
  v.queue = null;
  queue.size--;
  state.waiting--;
  v.slot?.delete(v.id);
  v.slot = null;
  if (tagged(v.wish)) {
    for (const tag of tagsOf(v.wish)) {
      const index = queue.tags.get(tag);
      if (!index) continue;
      index.delete(v.id);
      if (index.size === 0) queue.tags.delete(tag);
    }
  }
  if (queue.size > 0) return;
  const group: Group = queue.group;
  group.classes.delete(queue.key);
  if (group.classes.size === 0) state.groups.delete(group.key);
}

/**
 * The partner for `me` among those waiting, or undefined: the best tier
 * first (rules.ts), the oldest within it; someone met recently only when
 * nobody else qualifies.
 */
export function choose(state: MatchState, me: Visitor, now: number): Visitor | undefined {
  const group = state.groups.get(groupKey(me.wish));
  if (!group) return undefined;
  const mine = declarations(me.wish);
  const search: Search = { state, me, now, stale: undefined, staleTier: Infinity };
  const tiers = tiersOf(me.wish);
  for (let tier = 0; tier < tiers.length; tier++) {
    if (tiers[tier].length === 0) continue;
    let best: Visitor | undefined;
    for (const queue of group.classes.values()) {
      if (!fits(mine, queue.gender, queue.lookingFor)) continue;
      for (const tag of tiers[tier]) best = older(first(search, queue.tags.get(tag), tier), best);
    }
    if (best) return best;
  }
  // Someone who shares nothing: only when both accept anyone.
  if (me.open) {
    let best: Visitor | undefined;
    for (const queue of group.classes.values()) {
      if (!fits(mine, queue.gender, queue.lookingFor)) continue;
      best = older(first(search, queue.untagged, 3), best);
      best = older(first(search, queue.expired, 3), best);
    }
    if (best) return best;
  }
  return search.stale;
}

/** One choice in progress: the best candidate met recently, kept in case nobody else qualifies. */
interface Search {
  readonly state: MatchState;
  readonly me: Visitor;
  readonly now: number;
  stale: Visitor | undefined;
  staleTier: number;
}

/** The oldest qualifying candidate of one index not met recently; notes the oldest met recently. */
function first(search: Search, index: Map<string, Visitor> | undefined, tier: number): Visitor | undefined {
  if (!index) return undefined;
  let noted = false;
  for (const v of index.values()) {
    if (!allowed(search.state, search.me, v, search.now)) continue;
    if (!recent(search.state, search.me, v, search.now)) return v;
    if (!noted && (tier < search.staleTier || (tier === search.staleTier && v.seq < search.stale!.seq))) {
      search.stale = v;
      search.staleTier = tier;
    }
    noted = true;
  }
  return undefined;
}

function older(a: Visitor | undefined, b: Visitor | undefined): Visitor | undefined {
  return a && (!b || a.seq < b.seq) ? a : b;
}
