/**
 * What one socket may send: a frame budget and a byte budget, each a token
 * bucket refilled with time (docs/PROTOCOL.md §6; the figures are in limits.ts).
 */
import type { RawData } from "ws";
import { LIMITS } from "./limits.ts";

export class FrameBudget {
  #frames: number = LIMITS.burstFrames;
  #bytes: number = LIMITS.burstBytes;
  #refilledAt: number;

  constructor(now: number) {
    this.#refilledAt = now;
  }

  /** Takes one frame of `data` from the budgets; says which is exhausted, or null. */
  take(now: number, data: RawData): string | null {
    const elapsed = (now - this.#refilledAt) / 1000;
    this.#refilledAt = now;
    this.#frames = Math.min(LIMITS.burstFrames, this.#frames + elapsed * LIMITS.framesPerSecond) - 1;
    this.#bytes = Math.min(LIMITS.burstBytes, this.#bytes + elapsed * LIMITS.bytesPerSecond) - byteLength(data);
    if (this.#frames < 0) return "rate limit exceeded";
    if (this.#bytes < 0) return "byte rate limit exceeded";
    return null;
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, chunk) => n + chunk.length, 0);
  return data.byteLength;
}
