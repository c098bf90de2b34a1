/**
 * What one socket may send: token buckets of frames and of bytes, refilled
 * with time (LIMITS says how fast and how deep), so a burst passes and a
 * flood does not.
 */
import type { RawData } from "ws";
import { LIMITS } from "./limits.ts";

export class Budget {
  #frames: number = LIMITS.burstFrames;
  #bytes: number = LIMITS.burstBytes;
  #refilledAt: number;

  constructor(now: number) {
    this.#refilledAt = now;
  }

  /** Takes one frame of `bytes`; says which budget is exhausted, or null. */
  take(now: number, bytes: number): string | null {
    const elapsed = (now - this.#refilledAt) / 1000;
    this.#refilledAt = now;
    this.#frames = Math.min(LIMITS.burstFrames, this.#frames + elapsed * LIMITS.framesPerSecond) - 1;
    this.#bytes = Math.min(LIMITS.burstBytes, this.#bytes + elapsed * LIMITS.bytesPerSecond) - bytes;
    if (this.#frames < 0) return "rate limit exceeded";
    if (this.#bytes < 0) return "byte rate limit exceeded";
    return null;
  }
}

export function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, chunk) => n + chunk.length, 0);
  return data.byteLength;
}
