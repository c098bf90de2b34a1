/**
 * The languages a visitor may say they speak: BCP 47 primary language
 * subtags, which are ISO 639-1's two-letter codes, plus the three-letter ones
 * BCP 47 uses where ISO 639-1 has none and many people speak (Filipino,
 * Cantonese). Browsers name them in any language with Intl.DisplayNames.
 */
const CODES =
  "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi " +
  "fil fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks " +
  "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps " +
  "pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz " +
  "ve vi vo wa wo xh yi yo yue za zh zu";

export const LANGUAGES: readonly string[] = CODES.split(" ");

const KNOWN = new Set(LANGUAGES);

export function isLanguage(value: unknown): value is string {
  return typeof value === "string" && KNOWN.has(value);
}

/**
 * The primary language of a BCP 47 tag, if it is one we know.
 * @example
 * primaryLanguage("zh-Hans-CN"); // "zh"
 * primaryLanguage("x-klingon");  // null
 */
export function primaryLanguage(tag: string): string | null {
  const primary = tag.split(/[-_]/)[0].toLowerCase();
  return KNOWN.has(primary) ? primary : null;
}

/**
 * The languages the page is written in (ui/i18n has a catalog for each), the
 * first the default. The server picks one from Accept-Language for the
 * page's `<html lang>`; the page follows it unless the visitor chose another.
 */
export const PAGE_LOCALES = ["en", "zh"] as const;
