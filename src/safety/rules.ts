/**
 * The safety rules, as pure functions over SafetyState: no sockets, timers
 * or clock (the caller passes `now`). Each command is one read-decide-write
 * step over the entries of the keys it names, so a shared store can run it
 * atomically (a Redis script per command); the conformance suite
 * (test/support/safety-store-conformance.ts) pins what every store must do.
 *
 * Bans: a visitor reported by `reports` distinct addresses within `windowMs`
 * is banned for `durationMs`, doubled for each ban within 30 days of the
 * last one ended, up to 30 days. A reporter counts once per reported address
 * and files at most REPORT_RATE reports; an address reporting itself (two
 * people behind one NAT) never counts toward a ban.
 */
import { type Rate, type ReportReason, takeToken } from "../protocol/index.ts";
import { type Ban, KEEP, type Report, type SafetyState } from "./state.ts";

const DAY = 86_400_000;
/** No ban, whoever decides it, lasts longer: bans by reports are capped at 30 days, a moderator's at a year. */
export const MAX_BAN_MS = { reports: 30 * DAY, moderator: 365 * DAY } as const;
/** Reports one address may file: three at once, then three a minute. */
export const REPORT_RATE: Rate = { burst: 3, perMinute: 3 };

export interface BanPolicy {
  /** Distinct reporter addresses that ban. */
  readonly reports: number;
  readonly windowMs: number;
  readonly durationMs: number;
}

export type IdentityVerdict =
  | { readonly kind: "banned"; readonly ban: Ban }
  | { readonly kind: "limited"; readonly retryAfterMs: number }
  | {
    readonly kind: "admitted";
    /** Tripped a limit, or was reported, within the last hour. */
    readonly suspect: boolean;
    /** Identity requests a minute from everyone, this one included. */
    readonly perMinute: number;
  };

export type ReportOutcome =
  | { readonly kind: "refused"; readonly code: "already_reported" | "too_many_reports" }
  | { readonly kind: "recorded"; readonly ban: Ban | null };

/** How long reports are kept under `policy`. */
export function reportsKeptMs(policy: Pick<BanPolicy, "windowMs">): number {
  return Math.max(policy.windowMs, KEEP.reportsMs);
}

/** POST /api/identity: banned, over `perMinute` (0: no limit), or admitted (and is it suspect?). */
export function admitIdentity(state: SafetyState, key: string, perMinute: number, now: number): IdentityVerdict {
  const everyone = countRequest(state, now);
  const ban = banOf(state, key, now);
  if (ban) return { kind: "banned", ban };
  if (perMinute > 0) {
    const taken = take(state, `i:${key}`, { burst: perMinute, perMinute }, now);
    if (!taken.ok) {
      flag(state, key, now);
      return { kind: "limited", retryAfterMs: taken.retryAfterMs };
    }
  }
  return { kind: "admitted", suspect: isSuspect(state, key, now), perMinute: everyone };
}

export function banOf(state: SafetyState, key: string, now: number): Ban | null {
  const ban = state.bans.get(key);
  return ban && ban.until > now ? ban : null;
}

/** `reporter` reports `reported` (address keys); may ban `reported`. */
export function report(
  state: SafetyState,
  { reporter, reported, reason, peer }: Omit<Report, "at">,
  policy: BanPolicy,
  now: number,
): ReportOutcome {
  const since = now - reportsKeptMs(policy);
  if (state.reports.some((r) => r.reporter === reporter && r.reported === reported && r.at > since)) {
    return { kind: "refused", code: "already_reported" };
  }
  if (!take(state, `r:${reporter}`, REPORT_RATE, now).ok) {
    flag(state, reporter, now);
    return { kind: "refused", code: "too_many_reports" };
  }
  state.reports.push({ at: now, reporter, reported, reason, peer });
  if (reporter === reported || banOf(state, reported, now)) return { kind: "recorded", ban: null };
  // Reports that led to an earlier ban have been paid for: count only later ones.
  const from = Math.max(now - policy.windowMs, state.history.get(reported)?.lastSince ?? -Infinity);
  const counted = state.reports.filter((r) => r.reported === reported && r.at > from && r.reporter !== reported);
  const reporters = new Set(counted.map((r) => r.reporter));
  if (reporters.size < policy.reports) return { kind: "recorded", ban: null };
  const nth = nthBan(state, reported, now);
  const durationMs = Math.min(policy.durationMs * 2 ** (nth - 1), MAX_BAN_MS.reports);
  const reasons = [...new Set(counted.map((r) => r.reason))];
  return { kind: "recorded", ban: impose(state, { key: reported, since: now, until: now + durationMs, by: "reports", nth, reporters: reporters.size, reasons }) };
}

/** A moderator bans `key` for `durationMs` (replacing any ban on it). */
export function moderatorBan(state: SafetyState, key: string, { durationMs, note }: { durationMs: number; note: string }, now: number): Ban {
  const nth = nthBan(state, key, now);
  const until = now + Math.min(durationMs, MAX_BAN_MS.moderator);
  return impose(state, { key, since: now, until, by: "moderator", nth, ...(note ? { note } : {}) });
}

/** Lifts the ban on `key` and forgets its history; false if it was not banned. */
export function unban(state: SafetyState, key: string, now: number): boolean {
  const banned = banOf(state, key, now) !== null;
  state.bans.delete(key);
  state.history.delete(key);
  return banned;
}

export function bans(state: SafetyState, now: number): Ban[] {
  return [...state.bans.values()].filter((b) => b.until > now).sort((a, b) => b.since - a.since);
}

/** Newest first. */
export function reports(state: SafetyState, now: number, policy: Pick<BanPolicy, "windowMs">, limit: number): Report[] {
  const since = now - reportsKeptMs(policy);
  const out: Report[] = [];
  for (let i = state.reports.length - 1; i >= 0 && out.length < limit; i--) {
    if (state.reports[i].at > since) out.push(state.reports[i]);
  }
  return out;
}

/** The address tripped a limit: challenge it under --challenge auto for a while. */
export function flag(state: SafetyState, key: string, now: number): void {
  state.suspects.set(key, now + KEEP.suspectMs);
}

/** True the first time `token` is used; it is remembered until `until`. */
export function useOnce(state: SafetyState, token: string, until: number, now: number): boolean {
  const known = state.used.get(token);
  if (known !== undefined && known > now) return false;
  state.used.set(token, until);
  return true;
}

function impose(state: SafetyState, ban: Ban): Ban {
  state.bans.set(ban.key, ban);
  state.history.set(ban.key, { count: ban.nth, lastSince: ban.since, lastUntil: ban.until });
  return ban;
}

/** 1 for a first ban; one more than the last if that one ended less than 30 days ago. */
function nthBan(state: SafetyState, key: string, now: number): number {
  const h = state.history.get(key);
  return h && now - h.lastUntil < KEEP.historyMs ? h.count + 1 : 1;
}

function isSuspect(state: SafetyState, key: string, now: number): boolean {
  if ((state.suspects.get(key) ?? 0) > now) return true;
  const since = now - KEEP.suspectMs;
  for (let i = state.reports.length - 1; i >= 0 && state.reports[i].at > since; i--) {
    if (state.reports[i].reported === key) return true;
  }
  return false;
}

function take(state: SafetyState, name: string, rate: Rate, now: number): { ok: boolean; retryAfterMs: number } {
  const taken = takeToken(state.buckets.get(name), rate, now);
  const full = now + Math.ceil((rate.burst - taken.bucket.tokens) / (rate.perMinute / 60_000));
  state.buckets.set(name, { ...taken.bucket, full });
  return taken;
}

/** Counts one identity request and returns the rate over the last minute (two fixed windows, weighted). */
function countRequest(state: SafetyState, now: number): number {
  const minute = Math.floor(now / 60_000);
  const r = state.rate;
  if (minute !== r.minute) {
    state.rate = { minute, count: 0, previous: minute === r.minute + 1 ? r.count : 0 };
  }
  state.rate.count++;
  const elapsed = (now % 60_000) / 60_000;
  return Math.round(state.rate.previous * (1 - elapsed) + state.rate.count);
}
