/**
 * What a visitor asks of the matchmaker with FIND (its "wish"): the pool, up
 * to five interests, the language it speaks, text only, and, on servers run
 * with --preferences, who it says it is and whom it wants to meet. The
 * server decodes it here; the page normalizes interests with the same
 * function before sending, so both agree on every tag.
 */
import { isLanguage } from "./languages.ts";
import { DEFAULT_POOL, isName } from "./names.ts";

export const MAX_INTERESTS = 5;
/** Characters (code points) in one interest, after normalizing. */
export const MAX_INTEREST_LENGTH = 32;

/** "I am": self-declared, never verified. */
export const GENDERS = ["woman", "man", "other", "unsaid"] as const;
export type Gender = (typeof GENDERS)[number];
/** "Show me". */
export const LOOKING_FOR = ["anyone", "women", "men", "other"] as const;
export type LookingFor = (typeof LOOKING_FOR)[number];

export interface Preferences {
  readonly gender: Gender;
  readonly lookingFor: LookingFor;
}

/** A FIND as the matchmaker reads it: every field present. */
export interface Wish {
  readonly pool: string;
  /** Normalized, distinct, at most five. */
  readonly interests: readonly string[];
  /** A primary language code (languages.ts), or null for any. */
  readonly language: string | null;
  /** Text-only visitors are only paired with each other. */
  readonly textOnly: boolean;
  /** Null: none given, or the server runs without --preferences. */
  readonly preferences: Preferences | null;
}

/** FIND's payload as a client sends it: every field optional. */
export interface FindPayload {
  readonly pool?: string;
  readonly interests?: readonly string[];
  readonly language?: string | null;
  readonly textOnly?: boolean;
  readonly preferences?: Preferences;
}

export type WishErrorCode = "invalid_pool" | "invalid_interests" | "invalid_language" | "invalid_preferences" | "invalid_payload";

/**
 * Trimmed, lower-cased, runs of white space made one space, compatibility
 * forms folded (full-width letters, ligatures), so "  Chess " and "ｃｈｅｓｓ" meet.
 * @example
 * normalizeInterest("  Board   GAMES "); // "board games"
 */
export function normalizeInterest(raw: string): string {
  return raw.normalize("NFKC").replace(/\s+/gu, " ").trim().toLowerCase();
}

/** Why a normalized interest cannot be sent, or null when it can. */
export function interestProblem(tag: string): string | null {
  const length = [...tag].length;
  if (length === 0) return "An interest cannot be empty.";
  if (length > MAX_INTEREST_LENGTH) return `An interest is at most ${MAX_INTEREST_LENGTH} characters.`;
  if (/\p{Cc}/u.test(tag)) return "An interest cannot hold control characters.";
  return null;
}

/**
 * Reads FIND's payload; never throws. A payload that is not an object asks
 * for the defaults (a bare FIND), as it always has.
 * @example
 * decodeWish({ interests: [" Chess", "MUSIC"], language: "zh" });
 * // { ok: true, wish: { pool: "public", interests: ["chess", "music"], language: "zh", textOnly: false, preferences: null } }
 */
export function decodeWish(payload: unknown): { ok: true; wish: Wish } | { ok: false; code: WishErrorCode; msg: string } {
  const p = isObject(payload) ? payload : {};
  const pool = p.pool === undefined ? DEFAULT_POOL : p.pool;
  if (!isName(pool)) return bad("invalid_pool", "A pool name is 1 to 64 letters, digits, '-' or '_'.");
  const interests = decodeInterests(p.interests === undefined ? [] : p.interests);
  if (typeof interests === "string") return bad("invalid_interests", interests);
  const language = p.language ?? null;
  if (language !== null && !isLanguage(language)) {
    return bad("invalid_language", 'language must be a primary language code such as "en" or "zh", or null.');
  }
  const textOnly = p.textOnly === undefined ? false : p.textOnly;
  if (typeof textOnly !== "boolean") return bad("invalid_payload", "textOnly must be true or false.");
  const preferences = p.preferences === undefined ? null : decodePreferences(p.preferences);
  if (preferences === undefined) {
    return bad("invalid_preferences", `preferences must be {"gender": ${GENDERS.join("|")}, "lookingFor": ${LOOKING_FOR.join("|")}}.`);
  }
  return { ok: true, wish: { pool, interests, language, textOnly, preferences } };
}

/** The wish of a bare FIND. */
export function defaultWish(pool = DEFAULT_POOL): Wish {
  return { pool, interests: [], language: null, textOnly: false, preferences: null };
}

/** Whether someone looking for `lookingFor` wants to meet someone who says they are `gender`. */
export function admits(lookingFor: LookingFor, gender: Gender): boolean {
  switch (lookingFor) {
    case "anyone":
      return true;
    case "women":
      return gender === "woman";
    case "men":
      return gender === "man";
    case "other":
      return gender === "other";
  }
}

/** The interests both have, in the order of `a`'s. */
export function commonInterests(a: readonly string[], b: readonly string[]): string[] {
  return a.length === 0 || b.length === 0 ? [] : a.filter((tag) => b.includes(tag));
}

/** The same request: asking again with it keeps one's place in the queue. */
export function sameWish(a: Wish, b: Wish): boolean {
  return a.pool === b.pool && a.language === b.language && a.textOnly === b.textOnly &&
    a.preferences?.gender === b.preferences?.gender && a.preferences?.lookingFor === b.preferences?.lookingFor &&
    a.interests.length === b.interests.length && a.interests.every((tag, i) => b.interests[i] === tag);
}

/** Normalized, distinct interests; or why they are refused. */
export function decodeInterests(raw: unknown): string[] | string {
  if (!Array.isArray(raw)) return "interests must be an array of strings.";
  if (raw.length > MAX_INTERESTS) return `At most ${MAX_INTERESTS} interests.`;
  const tags: string[] = [];
  for (const item of raw) {
    if (typeof item !== "string") return "interests must be an array of strings.";
    // Bounds the normalizing work: no 32-character interest is written in 256 UTF-16 units.
    if (item.length > 256) return `An interest is at most ${MAX_INTEREST_LENGTH} characters.`;
    const tag = normalizeInterest(item);
    const problem = interestProblem(tag);
    if (problem) return problem;
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

function decodePreferences(raw: unknown): Preferences | undefined {
  if (!isObject(raw)) return undefined;
  const { gender, lookingFor } = raw;
  if (!GENDERS.includes(gender as Gender) || !LOOKING_FOR.includes(lookingFor as LookingFor)) return undefined;
  return { gender: gender as Gender, lookingFor: lookingFor as LookingFor };
}

function bad(code: WishErrorCode, msg: string): { ok: false; code: WishErrorCode; msg: string } {
  return { ok: false, code, msg };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
