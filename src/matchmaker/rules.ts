/**
 * The matching rules, each a small function of two visitors (or of one
 * visitor's wish), so that each reads on its own and every store applies the
 * same ones. queue.ts puts them together; the order of preference is:
 *
 *   hard       allowed(): never paired (itself, straight back with the last partner,
 *              two whose addresses or ids are blocked by a report: blocked.ts)
 *              fits(): both sides' declarations admit the other (--preferences)
 *              group: same pool, and text-only only with text-only
 *   patience   a visitor with tags (a language, interests) accepts only someone
 *              who shares one, until its wait is over: then anyone
 *   ranking    not met recently, then the same language and a common interest,
 *              the same language, a common interest, anyone; then the oldest
 */
import { admits, type Gender, type LookingFor, type Preferences, type Wish } from "../protocol/index.ts";
import { isBlocked } from "./blocked.ts";
import type { MatchState, Visitor } from "./state.ts";

/** Declarations of a visitor who gave none: matches everyone who wants anyone. */
const UNDECLARED: Preferences = { gender: "unsaid", lookingFor: "anyone" };

/** Rules that are never broken: a candidate the chooser must not be paired with. */
export function allowed(state: MatchState, me: Visitor, candidate: Visitor, now: number): boolean {
  return candidate !== me && candidate.id !== me.last && !reported(state, me, candidate, now);
}

/** One of the two reported the other: their addresses, or (behind one address) their ids, are blocked. */
function reported(state: MatchState, a: Visitor, b: Visitor, now: number): boolean {
  return isBlocked(state.blocked, a.address, b.address, now) || isBlocked(state.blocked, a.id, b.id, now);
}

/** Whether two sets of declarations admit each other, both ways. */
export function fits(mine: Preferences, gender: Gender, lookingFor: LookingFor): boolean {
  return admits(mine.lookingFor, gender) && admits(lookingFor, mine.gender);
}

export function declarations(wish: Wish): Preferences {
  return wish.preferences ?? UNDECLARED;
}

/** Visitors of one group may meet: a pool, text-only visitors apart. */
export function groupKey(wish: Wish): string {
  // A space cannot be part of a pool name.
  return wish.textOnly ? `${wish.pool} text` : wish.pool;
}

export function classKey(declared: Preferences): string {
  return declared === UNDECLARED ? UNDECLARED_KEY : `${declared.gender} ${declared.lookingFor}`;
}

const UNDECLARED_KEY = "unsaid anyone";

/** Whether it has anything to share: a language or an interest. */
export function tagged(wish: Wish): boolean {
  return wish.language !== null || wish.interests.length > 0;
}

/**
 * Index keys a waiting visitor is filed under: its language, each interest,
 * and each (language, interest), so "same language and a common interest" is
 * one lookup. A language code has no space, so the keys cannot collide.
 */
export function tagsOf(wish: Wish): string[] {
  const tags = wish.interests.map((tag) => `i ${tag}`);
  if (wish.language !== null) {
    tags.push(`l ${wish.language}`);
    for (const tag of wish.interests) tags.push(`b ${wish.language} ${tag}`);
  }
  return tags;
}

const NO_TIERS: readonly (readonly string[])[] = [[], [], []];

/**
 * Where a chooser looks, best first: tier 1 the same language and a common
 * interest, tier 2 the same language, tier 3 a common interest. (Tier 4,
 * anyone who accepts anyone, is the queue's own.)
 */
export function tiersOf(wish: Wish): readonly (readonly string[])[] {
  const { language, interests } = wish;
  if (language === null) return interests.length === 0 ? NO_TIERS : [[], [], interests.map((tag) => `i ${tag}`)];
  return [interests.map((tag) => `b ${language} ${tag}`), [`l ${language}`], interests.map((tag) => `i ${tag}`)];
}

/** Met within the last recentMs (soft: avoided only while someone else will do). */
export function recent(state: MatchState, me: Visitor, candidate: Visitor, now: number): boolean {
  for (const m of me.met) {
    if (m.id === candidate.id) return now - m.at < state.options.recentMs;
  }
  return false;
}

/**
 * Remembers that `a` and `b` met. Each remembers its last recentCount
 * strangers; when one forgets the other, both do, so that a chooser never
 * skips more than recentCount waiting visitors for this rule.
 */
export function remember(state: MatchState, a: Visitor, b: Visitor, now: number): void {
  drop(a, b.id);
  drop(b, a.id);
  a.met.push({ id: b.id, at: now });
  b.met.push({ id: a.id, at: now });
  trim(state, a);
  trim(state, b);
}

/** A visitor is gone: those who met it forget it. */
export function forget(state: MatchState, v: Visitor): void {
  for (const m of v.met) {
    const other = state.visitors.get(m.id);
    if (other) drop(other, v.id);
  }
  v.met.length = 0;
}

function trim(state: MatchState, v: Visitor): void {
  while (v.met.length > state.options.recentCount) {
    const oldest = v.met.shift()!;
    const other = state.visitors.get(oldest.id);
    if (other) drop(other, v.id);
  }
}

function drop(v: Visitor, id: string): void {
  const i = v.met.findIndex((m) => m.id === id);
  if (i >= 0) v.met.splice(i, 1);
}
