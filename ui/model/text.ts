/**
 * What the models put on the page, as keys of the message catalogs
 * (ui/i18n/): chat notices, media problems and video captions. The
 * components say them in the visitor's language; tests compare against
 * these, so a rewording happens in the catalogs only.
 */
import type { Catalog, TextKey } from "../i18n/index.ts";

export const TEXT = {
  connected: "connected",
  bothLike: "bothLike",
  left: "left",
  noConnect: "noConnect",
  couldntKeep: "couldntKeep",
  lost: "lost",
  denied: "denied",
  notFound: "notFound",
  noCamera: "noCameraFound",
  noMicrophone: "noMicrophoneFound",
  busy: "busy",
  failed: "failed",
  screenDenied: "screenDenied",
  reported: "reported",
  notCounted: "notCounted",
  slowDown: "slowDown",
} as const satisfies Record<string, keyof Catalog>;

/** Laid over a video when it has nothing to show. */
export const CAPTION = {
  connecting: "captionConnecting",
  looking: "captionLooking",
  lookingShared: "captionLookingShared",
  reconnecting: "captionReconnecting",
  strangerNoCamera: "captionStrangerNoCamera",
  strangerPaused: "captionStrangerPaused",
  noCamera: "captionNoCamera",
  cameraOff: "captionCameraOff",
  textOnly: "captionTextOnly",
} as const satisfies Record<string, TextKey>;

/** A line from the page itself: a catalog key, and what fills its blanks. */
export type NoticeKey = (typeof TEXT)[keyof typeof TEXT];
export type CaptionKey = (typeof CAPTION)[keyof typeof CAPTION];

/**
 * A catalog entry in words.
 * @example
 * say(CATALOGS.en, "bothLike", ["music, chess"]); // "You both like: music, chess"
 */
export function say(catalog: Catalog, key: keyof Catalog, args: readonly string[] = []): string {
  const entry = catalog[key] as string | ((...a: string[]) => string);
  return typeof entry === "function" ? entry(...args) : entry;
}

/**
 * Why the server refused the visitor, in the catalog's language; the server
 * sends a code and details (the country), and the page says it its own way,
 * in the language the visitor chose, even after switching.
 * @example
 * refusalWords(CATALOGS.en, { code: "country_blocked", country: "US" }); // "…not available in your country (United States)."
 */
export function refusalWords(catalog: Catalog, refused: { readonly code: string; readonly country: string | null }): string {
  switch (refused.code) {
    case "country_blocked":
      return refused.country === null ? catalog.countryUnknown : catalog.countryBlocked(regionName(catalog.lang, refused.country));
    case "server_full":
      return catalog.serverFull;
    default:
      return catalog.refused;
  }
}

function regionName(lang: string, code: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}
