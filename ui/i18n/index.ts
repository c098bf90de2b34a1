/**
 * The page's languages: English and Chinese, both bundled (a switch needs no
 * request; the two catalogs weigh ~2 KB gzipped together). Which one: the
 * visitor's own choice (#language, remembered), else the one the server chose
 * from Accept-Language (<html lang>), else navigator.languages.
 */
import { type Catalog, en, type TextKey } from "./en.ts";
import { zh } from "./zh.ts";
import { PAGE_LOCALES } from "../../src/protocol/index.ts";

export type { Catalog, TextKey };

export const LOCALES = PAGE_LOCALES;
export type Locale = (typeof LOCALES)[number];

export const CATALOGS: Readonly<Record<Locale, Catalog>> = { en, zh };

export function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}

/**
 * The first of `languages` (BCP 47 tags, best first) that the page speaks.
 * @example
 * pickLocale(["fr-FR", "zh-TW", "en"]); // "zh"
 * pickLocale([]);                      // "en"
 */
export function pickLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const primary = tag.split(/[-_]/)[0].toLowerCase();
    if (isLocale(primary)) return primary;
  }
  return "en";
}
