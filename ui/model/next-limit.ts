/**
 * The page's side of the Next limit: the same token bucket the server runs
 * (protocol takeToken, with the server's --next-burst and --next-per-minute
 * from the client config), so the page never sends a Next the server would
 * refuse; the button waits instead.
 */
import { type ReadonlySignal, signal } from "@preact/signals";
import { type Bucket, type Rate, takeToken } from "../../src/protocol/index.ts";
import type { Timers } from "./timers.ts";

export interface NextLimit {
  /** False while the budget is spent. */
  readonly ready: ReadonlySignal<boolean>;
  /** Spends one Next; false (and not ready for a while) when none is left. */
  take(): boolean;
  dispose(): void;
}

/**
 * @example
 * const limit = createNextLimit({ rate: { burst: 10, perMinute: 30 }, timers, now: Date.now });
 * if (limit.take()) client.find();
 */
export function createNextLimit({ rate, timers, now }: { rate: Rate; timers: Timers; now: () => number }): NextLimit {
  const ready = signal(true);
  let bucket: Bucket | undefined;
  let timer: unknown;
  return {
    ready,
    take() {
      const taken = takeToken(bucket, rate, now());
      bucket = taken.bucket;
      if (taken.ok) {
        // Ready again once one token is back.
        const wait = takeToken(bucket, rate, now()).retryAfterMs;
        if (wait > 0) {
          ready.value = false;
          timers.clear(timer);
          timer = timers.set(() => ready.value = true, wait);
        }
      }
      return taken.ok;
    },
    dispose() {
      timers.clear(timer);
    },
  };
}
