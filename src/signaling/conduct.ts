/**
 * What one visitor may do about strangers, over its signaling socket: press
 * Next within its budget (a burst, then a rate), and report its partner or
 * one it parted from within REPORT_WINDOW_MS, once each. A report keeps the
 * two addresses apart in the matchmaker, ends a current pair like Next, and
 * is recorded by the safety store, which may ban the reported address.
 */
import type { Logger } from "../log.ts";
import { BLOCK } from "../matchmaker/blocked.ts";
import type { MatchEvent } from "../matchmaker/core.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import { type Bucket, type Rate, type Rejection, REPORT_WINDOW_MS, type ReportReason, type ServerFrame, takeToken, encodeFrame, type Wish } from "../protocol/index.ts";
import type { Ban, SafetyStore } from "../safety/store.ts";

/** What sessions need for reports and for the Next limit. */
export interface SessionSafety {
  readonly store: Pick<SafetyStore, "report" | "flag">;
  readonly nextLimit: Rate;
  /** The address key of a connected visitor, to remember whom one was paired with. */
  addressOf(id: string): string | undefined;
  /** A report banned `ban.key`: its sockets are closed. */
  banned(ban: Ban): void;
}

/** Recent partners remembered at most. */
const MAX_RECENT = 32;

interface Partner {
  readonly peer: string;
  readonly address: string | undefined;
  /** When the pair ended; null while paired. */
  leftAt: number | null;
  reported: boolean;
}

/** One visitor's Next budget, and its partner and recent partners (whom it may report). */
export class Conduct {
  #partners: Partner[] = [];
  #nextBudget: Bucket | undefined;
  /** A partner was left unasked (a closed socket, a report) when the budget was empty: the next FIND pays. */
  #owed = false;
  readonly safety: SessionSafety;
  readonly address: string;

  constructor(safety: SessionSafety, address: string) {
    this.safety = safety;
    this.address = address;
  }

  paired(peer: string, now: number): void {
    this.#forget(now);
    this.#partners.push({ peer, address: this.safety.addressOf(peer), leftAt: null, reported: false });
  }

  parted(peer: string, now: number): void {
    for (const p of this.#partners) if (p.peer === peer && p.leftAt === null) p.leftAt = now;
  }

  /** Leaving a partner (Next, or STOP while paired): null within the budget, else the refusal (and the address is flagged). */
  next(now: number): Rejection | null {
    const taken = this.#take(now);
    if (taken.ok) return null;
    this.safety.store.flag(this.address, now).catch(() => {}); // a hint for --challenge auto; losing it is harmless
    return limited(taken.retryAfterMs);
  }

  /**
   * Left a partner in a way that cannot be refused: its socket closed, or it
   * reported them. That costs a Next too, or every limit would be a reconnect
   * or a report away. Paid now if the budget allows (null); else the next
   * FIND pays (settle()), and the wait is returned.
   */
  leftUnasked(now: number): Rejection | null {
    const taken = this.#take(now);
    if (taken.ok) return null;
    this.#owed = true;
    return limited(taken.retryAfterMs);
  }

  /**
   * A FIND while unpaired: free, unless a partner left unasked is still
   * unpaid. Its refusal does not flag the address: a page asking again a
   * little early, or on a changed setting, is no script.
   */
  settle(now: number): Rejection | null {
    if (!this.#owed) return null;
    const taken = this.#take(now);
    if (!taken.ok) return limited(taken.retryAfterMs);
    this.#owed = false;
    return null;
  }

  /** Until when it matters after the socket closed: its budget refills (and any debt is paid), its partners stay reportable. */
  keptUntil(now: number): number {
    const { burst, perMinute } = this.safety.nextLimit;
    const budget = this.#nextBudget;
    const owed = this.#owed ? 1 : 0;
    let until = budget === undefined ? now : budget.at + Math.ceil((burst + owed - budget.tokens) / (perMinute / 60_000));
    for (const p of this.#partners) until = Math.max(until, (p.leftAt ?? now) + REPORT_WINDOW_MS);
    return until;
  }

  /**
   * This conduct for the visitor's socket from `address`: itself, or, from
   * another address, its budget and debt only (whom it met stays with the
   * address it met them from, which its reports are counted by).
   */
  forAddress(address: string): Conduct {
    if (address === this.address) return this;
    const moved = new Conduct(this.safety, address);
    moved.#nextBudget = this.#nextBudget;
    moved.#owed = this.#owed;
    return moved;
  }

  /** A REPORT of `peer` that could not be filed (the store failed): it may be sent again. */
  unreport(peer: string): void {
    const found = this.#partners.findLast((p) => p.peer === peer);
    if (found) found.reported = false;
  }

  /** Whom a REPORT of `peer` is about (marked reported from now on), or the refusal. */
  report(peer: string, now: number): { peer: string; address: string } | Rejection {
    this.#forget(now);
    const found = this.#partners.findLast((p) => p.peer === peer);
    if (!found || found.address === undefined) return { code: "not_partner", msg: `${peer} was not your partner in the last minute.` };
    if (found.reported) return { code: "already_reported", msg: "You reported this visitor already." };
    found.reported = true;
    return { peer, address: found.address };
  }

  #take(now: number): { ok: boolean; retryAfterMs: number } {
    const taken = takeToken(this.#nextBudget, this.safety.nextLimit, now);
    this.#nextBudget = taken.bucket;
    return taken;
  }

  #forget(now: number): void {
    // A handful, usually (Next is rate-limited); the cap holds whoever else presses Next on us.
    this.#partners = this.#partners.filter((p) => p.leftAt === null || now - p.leftAt <= REPORT_WINDOW_MS).slice(-MAX_RECENT);
  }
}

/** Whom a report is about: the current partner (`current`) or one who left; `look`: find the reporter's next stranger. */
export interface ReportTarget {
  readonly peer: string;
  readonly address: string;
  readonly current: boolean;
  readonly look: boolean;
}

function limited(retryAfterMs: number): Rejection {
  const retryAfter = Math.ceil(retryAfterMs / 1000);
  return { code: "rate_limited", msg: `Next is limited; try again in ${retryAfter} s.`, retryAfter };
}

export interface Reporter {
  readonly id: string;
  readonly address: string;
  /** What it asked for with FIND: where a report of the partner looks for the next one. */
  readonly wish: Wish | null;
  /** Sends the reporter a frame (already encoded). */
  push(text: string): void;
}

/**
 * Files the report of `target` (a current partner when `current`: the pair
 * ends, and the next stranger is looked for when `look`), answers the
 * reporter, and returns the matchmaker's events.
 */
export async function fileReport(
  deps: { store: MatchStore; safety: SessionSafety; log: Logger; now: () => number; metrics: Pick<Metrics, "rejectedFrame"> },
  me: Reporter,
  target: ReportTarget,
  reason: ReportReason,
): Promise<readonly MatchEvent[]> {
  const { events, answer } = await decide(deps, me, target, reason);
  // Refused after filing (the store's rules): counted with the frames refused before it.
  if (answer.type === "REJECTED") deps.metrics.rejectedFrame(answer.payload.code);
  me.push(encodeFrame(answer));
  return events;
}

async function decide(
  { store, safety, log, now }: { store: MatchStore; safety: SessionSafety; log: Logger; now: () => number },
  me: Reporter,
  target: ReportTarget,
  reason: ReportReason,
): Promise<{ events: readonly MatchEvent[]; answer: ServerFrame }> {
  const at = now();
  // Behind one shared address, only these two visitors are kept apart (see blocked.ts).
  const apart = me.address === target.address ? [me.id, target.peer] : [me.address, target.address];
  await store.block(apart[0], apart[1], at + BLOCK.ms, at);
  const events = !target.current
    ? []
    : target.look && me.wish !== null
    ? await store.find(me.id, me.wish, at, me.address)
    : await store.stop(me.id, at);
  const outcome = await safety.store.report({ reporter: me.address, reported: target.address, reason, peer: target.peer }, at);
  if (outcome.kind === "refused") {
    // A reporter past its rate is a likely script: the operator hears of it.
    const say = outcome.code === "too_many_reports" ? log.warn : log.debug;
    say(`report by ${me.id} (address ${me.address.slice(0, 8)}) of ${target.peer} refused: ${outcome.code}`);
    const msg = outcome.code === "too_many_reports"
      ? "You left that stranger and won't meet again, but you've sent many reports lately, so this one wasn't counted."
      : "You reported this visitor already.";
    return { events, answer: { type: "REJECTED", payload: { code: outcome.code, msg } } };
  }
  log.info(`report: ${me.id} reported ${target.peer} (address ${target.address.slice(0, 8)}) for ${reason}`);
  if (outcome.ban) {
    const { ban } = outcome;
    log.warn(`ban: address ${ban.key.slice(0, 8)} until ${new Date(ban.until).toISOString()} (ban #${ban.nth}, ${ban.reporters} reporters)`);
    safety.banned(ban);
  }
  return { events, answer: { type: "REPORTED", payload: { peer: target.peer } } };
}
