/**
 * Conducts (conduct.ts) of visitors whose sockets closed, kept while they
 * still matter: until the Next budget has refilled and the last partner can
 * no longer be reported. The same identity back gets its own back (from
 * another address, its budget only). Without this, closing the socket while
 * paired and opening another was a Next the budget never saw, as often as one
 * liked, and a page back from a dropped connection could not report the
 * stranger it had.
 */
import type { Conduct } from "./conduct.ts";

/**
 * Kept at most. At the default limits an entry lives about a minute (the
 * report window), so this is 5,000 visitors leaving a call in a minute and
 * coming back; a flood of new identities past it only makes the oldest start
 * afresh. Measured (heap, fresh strings): 1.6 KB with one recent partner,
 * 21 KB with the most a conduct keeps (32, conduct.ts MAX_RECENT), so at
 * most ~105 MB held for visitors who are gone, beside what live sockets hold.
 */
export const MAX_KEPT = 5_000;

interface Kept {
  readonly conduct: Conduct;
  readonly until: number;
}

/**
 * @example
 * const kept = new KeptConducts();
 * kept.keep("id", conduct, now); // its socket closed
 * kept.take("id", "address-key", now); // the same visitor back: its conduct, once
 */
export class KeptConducts {
  /** In the order kept: the oldest first, which is nearly the first to expire. */
  #kept = new Map<string, Kept>();

  get size(): number {
    return this.#kept.size;
  }

  keep(id: string, conduct: Conduct, now: number): void {
    const until = conduct.keptUntil(now);
    this.#kept.delete(id);
    if (until > now) this.#kept.set(id, { conduct, until });
    for (const [oldest, kept] of this.#kept) {
      if (kept.until > now && this.#kept.size <= MAX_KEPT) break;
      this.#kept.delete(oldest);
    }
  }

  /** Its conduct, once, if kept and still of use, for its socket from `address` (Conduct.forAddress). */
  take(id: string, address: string, now: number): Conduct | null {
    const kept = this.#kept.get(id);
    if (kept === undefined) return null;
    this.#kept.delete(id);
    return kept.until > now ? kept.conduct.forAddress(address) : null;
  }
}
