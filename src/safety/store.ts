/**
 * Where reports, bans and limits live. Callers only see this async
 * interface, so a shared store (Redis, each command one script over the
 * keys it names) can replace the in-memory one without touching them; both
 * pass the same conformance suite (test/support/safety-store-conformance.ts).
 */
import type { Report } from "./state.ts";
import { type Ban, createSafetyState, prune } from "./state.ts";
import * as rules from "./rules.ts";
import type { BanPolicy, IdentityVerdict, ReportOutcome } from "./rules.ts";

export type { Ban, BanPolicy, IdentityVerdict, Report, ReportOutcome };

export interface SafetyPolicy {
  readonly ban: BanPolicy;
  /** Identity requests per address per minute; 0: no limit. */
  readonly identitiesPerMinute: number;
}

export interface SafetyStore {
  /** An identity request from `key`: banned, over its rate, or admitted (suspect or not, and everyone's rate). */
  admitIdentity(key: string, now: number): Promise<IdentityVerdict>;
  /** The ban on `key`, or null. */
  banOf(key: string, now: number): Promise<Ban | null>;
  /** Records a report (address keys); the outcome may be a new ban of `reported`. */
  report(report: Omit<Report, "at">, now: number): Promise<ReportOutcome>;
  /** A moderator's ban, replacing any ban on `key`. */
  ban(key: string, ban: { durationMs: number; note: string }, now: number): Promise<Ban>;
  /** Lifts a ban and its doubling history; false if `key` was not banned. */
  unban(key: string, now: number): Promise<boolean>;
  /** Bans in force, newest first. */
  bans(now: number): Promise<Ban[]>;
  /** Reports kept, newest first, at most `limit`. */
  reports(now: number, limit: number): Promise<Report[]>;
  /** `key` tripped a limit: suspect (challenged under --challenge auto) for an hour. */
  flag(key: string, now: number): Promise<void>;
  /** True the first time `token` is offered; remembered until `until`. */
  useOnce(token: string, until: number, now: number): Promise<boolean>;
  /** Whether commands can be answered now, for a store that connects (Redis); absent: always. */
  ready?(): boolean;
  /** Connects, for a store that has anything to connect to (Redis). */
  open?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * How often the memory store sweeps out expired entries (each command also
 * checks expiry itself); sooner, at most once a second, while more than
 * MAX_BUCKETS rate budgets are held (one per address seen in the last
 * minute: a flood from many addresses).
 */
const PRUNE_EVERY_MS = 60_000;
const MAX_BUCKETS = 100_000;

/**
 * One process's store: the pure rules over Maps, each command atomic by construction.
 * @example
 * const store = createMemorySafetyStore({ ban: { reports: 3, windowMs: 3_600_000, durationMs: 86_400_000 }, identitiesPerMinute: 60 });
 * await store.report({ reporter: "k1", reported: "k2", reason: "spam", peer: "6f1c…" }, Date.now());
 */
export function createMemorySafetyStore(policy: SafetyPolicy): SafetyStore {
  const state = createSafetyState();
  const keptMs = rules.reportsKeptMs(policy.ban);
  let prunedAt = -Infinity;
  const at = (now: number) => {
    const crowded = state.buckets.size > MAX_BUCKETS && now - prunedAt >= 1000;
    if (crowded || now - prunedAt >= PRUNE_EVERY_MS || now < prunedAt) {
      prune(state, now, keptMs);
      prunedAt = now;
    }
    return now;
  };
  return {
    admitIdentity: async (key, now) => rules.admitIdentity(state, key, policy.identitiesPerMinute, at(now)),
    banOf: async (key, now) => rules.banOf(state, key, at(now)),
    report: async (report, now) => rules.report(state, report, policy.ban, at(now)),
    ban: async (key, ban, now) => rules.moderatorBan(state, key, ban, at(now)),
    unban: async (key, now) => rules.unban(state, key, at(now)),
    bans: async (now) => rules.bans(state, at(now)),
    reports: async (now, limit) => rules.reports(state, at(now), policy.ban, limit),
    flag: async (key, now) => rules.flag(state, key, at(now)),
    useOnce: async (token, until, now) => rules.useOnce(state, token, until, at(now)),
  };
}
