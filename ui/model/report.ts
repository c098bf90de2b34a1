/**
 * Reporting the stranger: while paired, or within REPORT_WINDOW_MS after
 * they left; once per stranger. Reporting the current stranger ends the
 * pair like Next (the server finds the next one) and says so in the chat.
 */
import { computed, effect, type ReadonlySignal, signal } from "@preact/signals";
import { type Rejection, REPORT_WINDOW_MS, type ReportReason } from "../../src/protocol/index.ts";
import { SAFETY_TEXT } from "./safety-text.ts";
import type { NoticeKey } from "./text.ts";
import type { Timers } from "./timers.ts";

export interface ReportDeps {
  /** The matched stranger's id, or null. */
  readonly stranger: ReadonlySignal<string | null>;
  /** Sends REPORT for `peer`. */
  send(peer: string, reason: ReportReason): void;
  /** Leaves the current stranger without asking for another (the server does, after a report). */
  leave(): void;
  notice(key: NoticeKey, args?: readonly string[], keep?: boolean): void;
  readonly timers: Timers;
}

export interface ReportModel {
  /** Someone to report: the stranger, or the one who left within the last minute, not reported yet. */
  readonly canReport: ReadonlySignal<boolean>;
  report(reason: ReportReason): void;
  /** The server would not count a report. */
  rejected(rejection: Rejection): void;
  dispose(): void;
}

/**
 * @example
 * const reports = createReportModel({ stranger: connection.strangerPeer, send, leave, notice, timers });
 * reports.report("spam"); // REPORT sent, the pair ends, the chat says so
 */
export function createReportModel({ stranger, send, leave, notice, timers }: ReportDeps): ReportModel {
  /** The stranger who left last, while they may still be reported. */
  const recent = signal<string | null>(null);
  const reported = signal<ReadonlySet<string>>(new Set());
  const target = () => stranger.value ?? recent.value;
  const canReport = computed(() => {
    const peer = target();
    return peer !== null && !reported.value.has(peer);
  });
  let last: string | null = null;
  let expiry: unknown;
  const stopWatching = effect(() => {
    const now = stranger.value;
    if (last !== null && now !== last) {
      const left = last;
      recent.value = left;
      timers.clear(expiry);
      expiry = timers.set(() => recent.value === left && (recent.value = null), REPORT_WINDOW_MS);
    }
    last = now;
  });

  return {
    canReport,

    report(reason) {
      const peer = target();
      if (peer === null || reported.value.has(peer)) return;
      reported.value = new Set([...reported.value, peer].slice(-50));
      send(peer, reason);
      if (peer === stranger.value) leave();
      notice(SAFETY_TEXT.reported, undefined, true);
    },

    rejected({ code }) {
      if (code === "too_many_reports") notice(SAFETY_TEXT.notCounted, undefined, true);
    },

    dispose() {
      stopWatching();
      timers.clear(expiry);
    },
  };
}
