/**
 * How good the call with the stranger is, from the connection's own
 * statistics (getStats, every couple of seconds): round-trip time, the share
 * of packets lost since the last sample, and the frame rate of their video.
 * Shown as a small indicator (#quality, data-level good|fair|poor).
 */
import { computed, type ReadonlySignal, signal } from "@preact/signals";
import type { Timers } from "./timers.ts";

export type QualityLevel = "good" | "fair" | "poor";

/** One reading of a connection's statistics; null where the browser does not say. */
export interface StatsSample {
  /** Round-trip time of the pair of candidates in use, ms. */
  readonly rttMs: number | null;
  /** Packets received and lost so far, on every incoming stream. */
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** Frames per second of the incoming video. */
  readonly fps: number | null;
}

export const QUALITY_EVERY_MS = 2000;

/**
 * Thresholds where calls are known to suffer: past ~250 ms of round trip
 * people talk over each other, past ~500 ms they cannot converse; a few per
 * cent of loss shows as frozen or smeared video, and under ~10 fps motion
 * stutters.
 */
const POOR = { rttMs: 500, loss: 0.08, fps: 10 } as const;
const FAIR = { rttMs: 250, loss: 0.02, fps: 20 } as const;

/**
 * @example
 * qualityLevel(null, { rttMs: 40, packetsReceived: 900, packetsLost: 0, fps: 30 }, true); // "good"
 */
export function qualityLevel(previous: StatsSample | null, now: StatsSample, expectVideo: boolean): QualityLevel {
  const received = now.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = now.packetsLost - (previous?.packetsLost ?? 0);
  const loss = received + lost > 0 ? Math.max(0, lost) / (received + Math.max(0, lost)) : 0;
  const fps = expectVideo ? now.fps : null;
  const past = (limits: typeof POOR | typeof FAIR) =>
    (now.rttMs !== null && now.rttMs > limits.rttMs) || loss > limits.loss || (fps !== null && fps < limits.fps);
  return past(POOR) ? "poor" : past(FAIR) ? "fair" : "good";
}

export interface QualityModel {
  /** Null while there is nothing to measure (no stranger, or no reading yet). */
  readonly level: ReadonlySignal<QualityLevel | null>;
  /** Starts reading `read` every QUALITY_EVERY_MS; stops the previous readings. */
  watch(read: () => Promise<StatsSample | null>, expectVideo: () => boolean): void;
  /** The connection is in trouble (an ICE restart is under way): poor, whatever the last reading said. */
  trouble(on: boolean): void;
  stop(): void;
}

/**
 * @example
 * const quality = createQualityModel(timers);
 * quality.watch(() => call.stats(), () => strangerSendsVideo);
 */
export function createQualityModel(timers: Timers): QualityModel {
  const measured = signal<QualityLevel | null>(null);
  const troubled = signal(false);
  const level = computed(() => troubled.value ? "poor" : measured.value);
  let timer: unknown;
  let generation = 0;

  function stop() {
    generation++;
    timers.clear(timer);
    measured.value = null;
    troubled.value = false;
  }

  return {
    level,
    stop,
    trouble(on) {
      troubled.value = on;
    },
    watch(read, expectVideo) {
      stop();
      const mine = generation;
      let previous: StatsSample | null = null;
      const take = async () => {
        const sample = await read().catch(() => null);
        if (mine !== generation) return;
        if (sample) {
          measured.value = qualityLevel(previous, sample, expectVideo());
          previous = sample;
        }
        timer = timers.set(() => void take(), QUALITY_EVERY_MS);
      };
      timer = timers.set(() => void take(), QUALITY_EVERY_MS / 2);
    },
  };
}
