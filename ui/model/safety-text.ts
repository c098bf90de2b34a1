/**
 * The words of the page's safety features, in one place: reports, bans,
 * the Next limit and the consent screen. The chat's notices are catalog keys
 * (like TEXT's), said in the visitor's language; the rest is in the catalogs
 * too (ui/i18n/), and here in English for tests to compare against.
 */
import type { ReportReason } from "../../src/protocol/index.ts";
import { type Catalog, en } from "../i18n/en.ts";
import { TEXT } from "./text.ts";

export const SAFETY_TEXT = {
  /** Chat notices: catalog keys. */
  reported: TEXT.reported,
  notCounted: TEXT.notCounted,
  slowDown: TEXT.slowDown,
  report: en.report,
  reportTitle: en.reportTitle,
  banned: (until: string) => en.banned(until),
  bannedTitle: en.bannedTitle,
  consentTitle: en.consentTitle,
  consentIntro: en.consentIntro,
  consentAccept: (minAge: number) => en.consentAccept(String(minAge)),
} as const;

/** What each report reason says, in `t`'s language; `minAge` is the operator's --min-age. */
export function reasonText(t: Catalog, reason: ReportReason, minAge: number): string {
  switch (reason) {
    case "nudity":
      return t.reasonNudity;
    case "harassment":
      return t.reasonHarassment;
    case "spam":
      return t.reasonSpam;
    case "underage":
      return t.reasonUnderage(String(minAge > 0 ? minAge : 18));
    case "other":
      return t.reasonOther;
  }
}
