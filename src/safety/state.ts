/**
 * What the safety rules keep, as plain data, and for how long. Every entry
 * is keyed by an address key (an HMAC, never an address) and has an expiry;
 * prune() drops what has passed it. README "Safety and moderation" lists
 * the same table for operators.
 *
 *   bans        until the ban ends
 *   history     30 days after a ban ends (a further ban within them doubles)
 *   reports     max(--ban-window, 24 h), at most MAX_REPORTS, oldest first out
 *   buckets     identity and report rate budgets: until full again (≤ 1 min)
 *   suspects    an address that tripped a limit: 1 h
 *   used        spent challenge signatures: until the challenge expires
 */
import type { Bucket, ReportReason } from "../protocol/index.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

export const KEEP = {
  /** A ban's doubling memory, after the ban ends. */
  historyMs: 30 * DAY,
  /** Reports are kept at least this long (longer when --ban-window is). */
  reportsMs: DAY,
  /** Reports kept at most: each is ~200 bytes. */
  maxReports: 50_000,
  /** How long an address that tripped a limit, or was reported, is challenged under --challenge auto. */
  suspectMs: 60 * MINUTE,
} as const;

/** A ban of one address key. Times are on the server's clock, in ms. */
export interface Ban {
  readonly key: string;
  readonly since: number;
  readonly until: number;
  readonly by: "reports" | "moderator";
  /** The nth ban of this address, counting those within 30 days of the one before. */
  readonly nth: number;
  /** By reports: how many distinct addresses reported, and why. */
  readonly reporters?: number;
  readonly reasons?: readonly ReportReason[];
  /** By a moderator: their note. */
  readonly note?: string;
}

export interface Report {
  readonly at: number;
  readonly reporter: string;
  readonly reported: string;
  readonly reason: ReportReason;
  /** The reported visitor's peer id at the time (random per visit). */
  readonly peer: string;
}

export interface SafetyState {
  readonly bans: Map<string, Ban>;
  readonly history: Map<string, { readonly count: number; readonly lastSince: number; readonly lastUntil: number }>;
  /** Oldest first. */
  reports: Report[];
  readonly buckets: Map<string, Bucket & { readonly full: number }>;
  readonly suspects: Map<string, number>;
  readonly used: Map<string, number>;
  /** Identity requests in this minute and the one before (everyone's), for --challenge-above. */
  rate: { minute: number; count: number; previous: number };
}

export function createSafetyState(): SafetyState {
  return {
    bans: new Map(),
    history: new Map(),
    reports: [],
    buckets: new Map(),
    suspects: new Map(),
    used: new Map(),
    rate: { minute: 0, count: 0, previous: 0 },
  };
}

/** Drops every entry past its expiry; `reportsMs` is how long reports are kept. */
export function prune(state: SafetyState, now: number, reportsMs: number): void {
  for (const [key, ban] of state.bans) if (ban.until <= now) state.bans.delete(key);
  for (const [key, h] of state.history) if (h.lastUntil + KEEP.historyMs <= now) state.history.delete(key);
  for (const [key, b] of state.buckets) if (b.full <= now) state.buckets.delete(key);
  for (const [key, until] of state.suspects) if (until <= now) state.suspects.delete(key);
  for (const [key, until] of state.used) if (until <= now) state.used.delete(key);
  const first = state.reports.findIndex((r) => r.at > now - reportsMs);
  state.reports = first < 0 ? [] : state.reports.slice(Math.max(first, state.reports.length - KEEP.maxReports));
}
