/**
 * The report rule of matching: two addresses one of which reported the
 * other are not paired again until the block expires (BLOCK.ms), whoever
 * else is waiting. Keys are address keys (src/safety/address-key.ts), so
 * the rule holds across reconnects and new identities, and lapses when
 * either side's address changes. Two visitors behind one address (a shared
 * NAT) are blocked by their visitor ids instead: blocking the address from
 * itself would keep everyone behind it apart. Pure: the caller passes `now`.
 */

const DAY = 86_400_000;

export const BLOCK = {
  /** How long a report keeps two addresses apart. */
  ms: 30 * DAY,
  /**
   * Pairs remembered at most (~150 bytes each), the oldest forgotten first:
   * reports need a real pairing first and are rate-limited per address.
   */
  max: 100_000,
} as const;

/** Address pair → when its block ends. Map order is insertion order, which is expiry order. */
export type BlockedPairs = Map<string, number>;

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/** Blocks the pair until `until`; forgets expired blocks, and the oldest past BLOCK.max. */
export function blockPair(blocked: BlockedPairs, a: string, b: string, until: number, now: number): void {
  const key = pairKey(a, b);
  blocked.delete(key); // re-inserted at the end, in expiry order
  blocked.set(key, until);
  for (const [oldest, ends] of blocked) {
    if (ends > now && blocked.size <= BLOCK.max) break;
    blocked.delete(oldest);
  }
}

/** Whether `a` and `b` (address keys or visitor ids) may not be paired now; null is never blocked. */
export function isBlocked(blocked: BlockedPairs, a: string | null, b: string | null, now: number): boolean {
  if (a === null || b === null || blocked.size === 0) return false;
  return (blocked.get(pairKey(a, b)) ?? 0) > now;
}
