/**
 * Conducts (conduct.ts) of visitors whose sockets closed, kept while they
 * still matter: until the Next budget has refilled and the last partner can
 * no longer be reported. A visitor back with the same identity and address
 * gets its own back. Without this, closing the socket while paired and
 * opening another was a Next the budget never saw, as often as one liked, and
 * a page back from a dropped connection could not report the stranger it had.
 */
import type { Conduct } from "./conduct.ts";

/** Kept at most: a minute of visitors who left while paired, at well over a busy process's churn. */
export const MAX_KEPT = 20_000;

interface Kept {
  readonly conduct: Conduct;
  readonly address: string;
  readonly until: number;
}

/**
 * @example
 * const kept = new KeptConducts();
 * kept.keep("id", conduct, "address-key", now); // its socket closed
 * kept.take("id", "address-key", now); // the same visitor back: its conduct, once
 */
export class KeptConducts {
  /** In the order kept: the oldest first, which is nearly the first to expire. */
  #kept = new Map<string, Kept>();

  get size(): number {
    return this.#kept.size;
  }

  keep(id: string, conduct: Conduct, address: string, now: number): void {
    const until = conduct.keptUntil(now);
    this.#kept.delete(id);
    if (until > now) this.#kept.set(id, { conduct, address, until });
    for (const [oldest, kept] of this.#kept) {
      if (kept.until > now && this.#kept.size <= MAX_KEPT) break;
      this.#kept.delete(oldest);
    }
  }

  /** Its conduct, if kept and still of use: only to the same address (an identity passed on elsewhere starts afresh). */
  take(id: string, address: string, now: number): Conduct | null {
    const kept = this.#kept.get(id);
    if (kept === undefined) return null;
    this.#kept.delete(id);
    return kept.address === address && kept.until > now ? kept.conduct : null;
  }
}
