/**
 * The matchmaker's plain state: visitors, and the waiting ones indexed so
 * that every rule is answered by looking at the first few of a queue, never
 * by scanning everyone waiting (there may be tens of thousands).
 *
 *   group   a pool, or a pool's text-only side: only visitors of one group meet
 *   class   within a group, visitors with the same declarations (--preferences):
 *           a newcomer looks only in the classes whose declarations fit its own
 *   indexes within a class, each in order of arrival: by language, by
 *           interest, by both; who accepts anyone (no tags, or waited long enough)
 */
import type { Gender, LookingFor, Wish } from "../protocol/index.ts";
import type { BlockedPairs } from "./blocked.ts";

export interface MatchOptions {
  /** How long a visitor with interests or a language holds out for someone who shares one (ms). */
  readonly interestWaitMs: number;
  /** How many recent strangers each visitor remembers… */
  readonly recentCount: number;
  /** …and for how long (ms) they are kept apart while anyone else waits. */
  readonly recentMs: number;
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = { interestWaitMs: 5000, recentCount: 10, recentMs: 10 * 60_000 };

export interface Visitor {
  readonly id: string;
  /** The pool it waits or talks in; null when idle. */
  pool: string | null;
  partner: string | null;
  /** Its previous partner, whom it is not paired with again straight away. */
  last: string | null;
  /** When it last started waiting, from the caller's clock. */
  since: number;
  /** What it last asked for. */
  wish: Wish;
  /** Order of arrival in the queue: the smaller waited longer. */
  seq: number;
  /** While waiting: it accepts anyone (it has no tags, or has waited long enough). */
  open: boolean;
  /** Where it waits; null when not waiting. */
  queue: ClassQueue | null;
  /** Of its class's `untagged` and `expired`, and the state's `pending`: the one that holds it while waiting. */
  slot: Map<string, Visitor> | null;
  /**
   * Strangers met recently, oldest first, at most recentCount. Kept symmetric
   * (if b is in a's, a is in b's). An array: a scan of ten beats hashing.
   */
  readonly met: Met[];
  /** Its address key, for the report rule; null when the caller gave none. */
  address: string | null;
}

export interface Met {
  readonly id: string;
  readonly at: number;
}

/** Waiting visitors of one group who declared the same (gender, lookingFor). */
export interface ClassQueue {
  readonly group: Group;
  readonly key: string;
  readonly gender: Gender;
  readonly lookingFor: LookingFor;
  /** Visitors with no language and no interests: open from the start. */
  readonly untagged: Map<string, Visitor>;
  /** Visitors with tags whose wait is over. */
  readonly expired: Map<string, Visitor>;
  /** Tag (see rules.ts) → visitors that have it. */
  readonly tags: Map<string, Map<string, Visitor>>;
  size: number;
}

export interface Group {
  readonly key: string;
  readonly classes: Map<string, ClassQueue>;
}

export interface MatchState {
  readonly options: MatchOptions;
  readonly visitors: Map<string, Visitor>;
  readonly groups: Map<string, Group>;
  /** Waiting visitors with tags, still within their wait, in order of arrival. */
  readonly pending: Map<string, Visitor>;
  /** Visitors waiting in every group. */
  waiting: number;
  /** The last `seq` handed out. */
  seq: number;
  /** Address pairs that may not meet (see blocked.ts). */
  readonly blocked: BlockedPairs;
}

/**
 * @example
 * const state = createMatchState({ ...DEFAULT_MATCH_OPTIONS, interestWaitMs: 5000 });
 */
export function createMatchState(options: MatchOptions = DEFAULT_MATCH_OPTIONS): MatchState {
  return { options, visitors: new Map(), groups: new Map(), pending: new Map(), waiting: 0, seq: 0, blocked: new Map() };
}
