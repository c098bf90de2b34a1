/**
 * Timers as the models use them. The page passes the browser's; tests pass a
 * fake clock they move by hand, so timeouts run without waiting.
 */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const browserTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as number),
};
