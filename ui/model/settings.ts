/**
 * What the visitor chose, remembered between visits: the page's language,
 * interests, the language they speak, text only, and (on servers with
 * --preferences) "I am" and "Show me"; and what FIND asks for from them.
 * Storage comes in as an adapter (localStorage in the browser, nothing for
 * bots and tests), and what it gives back is checked like any input.
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import {
  decodeInterests,
  type FindPayload,
  type Gender,
  GENDERS,
  interestProblem,
  isLanguage,
  LOOKING_FOR,
  type LookingFor,
  MAX_INTERESTS,
  normalizeInterest,
  primaryLanguage,
} from "../../src/protocol/index.ts";
import { isLocale, type Locale, pickLocale, type TextKey } from "../i18n/index.ts";

/** Where settings are kept between visits. */
export interface SettingsStore {
  load(): unknown;
  save(value: unknown): void;
}

export interface SettingsDeps {
  /** Null: nothing is remembered. */
  readonly store: SettingsStore | null;
  /** The browser's languages, best first (navigator.languages). */
  readonly languages: readonly string[];
  /** The page's language as the server chose it from Accept-Language (<html lang>), if it did. */
  readonly pageLanguage?: string;
  /** The server filters by declared gender (--preferences). */
  readonly preferences: boolean;
}

export interface SettingsModel {
  readonly locale: ReadonlySignal<Locale>;
  readonly interests: ReadonlySignal<readonly string[]>;
  /** The language they speak (a primary code), or null for any. */
  readonly speak: ReadonlySignal<string | null>;
  readonly textOnly: ReadonlySignal<boolean>;
  readonly gender: ReadonlySignal<Gender>;
  readonly lookingFor: ReadonlySignal<LookingFor>;
  /** Whether "I am" and "Show me" are offered at all. */
  readonly preferences: boolean;
  /** What FIND asks for, from the above. */
  readonly wish: ReadonlySignal<FindPayload>;
  setLocale(locale: Locale): void;
  /** Adds an interest (normalized as the server does); says why not, if it cannot. */
  addInterest(raw: string): TextKey | null;
  removeInterest(tag: string): void;
  setSpeak(language: string | null): void;
  setTextOnly(on: boolean): void;
  setGender(gender: Gender): void;
  setLookingFor(lookingFor: LookingFor): void;
}

/**
 * @example
 * const settings = createSettingsModel({ store: browserSettingsStore(), languages: navigator.languages, preferences: false });
 * settings.addInterest("Chess"); // null: added as "chess"
 */
export function createSettingsModel({ store, languages, pageLanguage, preferences }: SettingsDeps): SettingsModel {
  const saved = readSaved(store?.load());
  const locale = signal<Locale>(saved.locale ?? pickLocale(pageLanguage ? [pageLanguage, ...languages] : languages));
  const interests = signal<readonly string[]>(saved.interests ?? []);
  const firstKnown = languages.map(primaryLanguage).find((code) => code !== null) ?? null;
  const speak = signal<string | null>(saved.speak !== undefined ? saved.speak : firstKnown);
  const textOnly = signal(saved.textOnly ?? false);
  const gender = signal<Gender>(saved.gender ?? "unsaid");
  const lookingFor = signal<LookingFor>(saved.lookingFor ?? "anyone");
  const wish = computed((): FindPayload => {
    const base = { interests: interests.value, language: speak.value, textOnly: textOnly.value };
    if (!preferences || (gender.value === "unsaid" && lookingFor.value === "anyone")) return base;
    return { ...base, preferences: { gender: gender.value, lookingFor: lookingFor.value } };
  });

  function save() {
    store?.save({
      locale: locale.peek(),
      interests: interests.peek(),
      speak: speak.peek(),
      textOnly: textOnly.peek(),
      gender: gender.peek(),
      lookingFor: lookingFor.peek(),
    });
  }
  const set = <T>(target: { value: T }) => (value: T) => {
    target.value = value;
    save();
  };

  return {
    locale,
    interests,
    speak,
    textOnly,
    gender,
    lookingFor,
    preferences,
    wish,
    setLocale: set(locale),
    setSpeak: set(speak),
    setTextOnly: set(textOnly),
    setGender: set(gender),
    setLookingFor: set(lookingFor),

    addInterest(raw) {
      const tag = normalizeInterest(raw);
      if (tag === "" || interests.value.includes(tag)) return null;
      if (interestProblem(tag)) return "interestTooLong";
      if (interests.value.length >= MAX_INTERESTS) return "tooManyInterests";
      batch(() => set(interests)([...interests.value, tag]));
      return null;
    },

    removeInterest(tag) {
      set(interests)(interests.value.filter((t) => t !== tag));
    },
  };
}

/** localStorage, when the browser lets the page use it (private modes may not). */
export function browserSettingsStore(key = "chatroulette.settings"): SettingsStore {
  return {
    load() {
      try {
        return JSON.parse(localStorage.getItem(key) ?? "null");
      } catch {
        return null;
      }
    },
    save(value) {
      try {
        localStorage.setItem(key, JSON.stringify(value));
      } catch {
        // Not remembered, then; the page works the same.
      }
    },
  };
}

interface Saved {
  locale?: Locale;
  interests?: string[];
  speak?: string | null;
  textOnly?: boolean;
  gender?: Gender;
  lookingFor?: LookingFor;
}

/** Only what is valid survives: storage can hold anything. */
function readSaved(raw: unknown): Saved {
  if (typeof raw !== "object" || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const interests = decodeInterests(r.interests);
  return {
    locale: isLocale(r.locale) ? r.locale : undefined,
    interests: Array.isArray(interests) ? interests : undefined,
    speak: r.speak === null || isLanguage(r.speak) ? r.speak : undefined,
    textOnly: typeof r.textOnly === "boolean" ? r.textOnly : undefined,
    gender: GENDERS.includes(r.gender as Gender) ? r.gender as Gender : undefined,
    lookingFor: LOOKING_FOR.includes(r.lookingFor as LookingFor) ? r.lookingFor as LookingFor : undefined,
  };
}
