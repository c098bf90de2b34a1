/**
 * The clock of the Redis store, in one place. A dead process's partners must
 * hear PARTNER-LEFT within 2 s: its last beat is at most `beatMs` old when it
 * dies, it is dead `presenceTtlMs` after that beat, and the next beat of any
 * live process sweeps it (≈1.25 + 0.25 s, plus delivery). The TTL is five
 * beats, so a process must stall for over a second before it is given up.
 */
export interface Timing {
  /** How often each process beats (and sweeps). */
  readonly beatMs: number;
  /** A process whose last beat is older than this is dead. */
  readonly presenceTtlMs: number;
  /** Every key a visitor leaves in Redis expires this long after it was last written. */
  readonly visitorTtlMs: number;
  /** How long FIND and STOP wait for an unreachable Redis before the visitor is told. */
  readonly commandWaitMs: number;
  /** How long listen() waits for Redis before starting without it (and saying so). */
  readonly openWaitMs: number;
  /** Visitors of dead processes forgotten per beat, bounding how long a beat holds Redis. */
  readonly sweepBudget: number;
  /** Commands sent in one script call. */
  readonly maxBatch: number;
}

export const TIMING: Timing = {
  beatMs: 250,
  presenceTtlMs: 1250,
  visitorTtlMs: 24 * 60 * 60 * 1000,
  commandWaitMs: 3000,
  openWaitMs: 5000,
  sweepBudget: 1000,
  maxBatch: 128,
};
