/**
 * The words of the page's safety features, in one place: reports, bans,
 * the Next limit and the consent screen. Tests compare against these.
 */
import type { ReportReason } from "../../src/protocol/index.ts";

export const SAFETY_TEXT = {
  reported: "You reported the stranger. You won't be paired again.",
  notCounted: "You've sent many reports in a short time, so this one wasn't counted. You won't be paired with that stranger again.",
  slowDown: "Slow down: you can press Next again in a few seconds.",
  report: "Report",
  reportTitle: "Report this stranger",
  banned: (until: string) => `You were reported by several people and can't use chatroulette until ${until}.`,
  bannedTitle: "You can't use chatroulette for now",
  consentTitle: "Before you start",
  consentIntro: "chatroulette pairs you with random strangers on camera. Please read the rules.",
  consentAccept: (minAge: number) => `I am at least ${minAge} years old and accept the rules`,
} as const;

/** What each report reason says; `minAge` is the operator's --min-age. */
export function reasonText(reason: ReportReason, minAge: number): string {
  switch (reason) {
    case "nudity":
      return "Nudity or sexual content";
    case "harassment":
      return "Harassment";
    case "spam":
      return "Spam or advertising";
    case "underage":
      return `Appears to be under ${minAge > 0 ? minAge : 18}`;
    case "other":
      return "Something else";
  }
}
