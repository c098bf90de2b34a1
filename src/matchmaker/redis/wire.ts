/**
 * What the Lua scripts hand back, as flat arrays of strings (short to
 * publish, cheap to parse): match events, relayed frames and beat markers.
 * The same items come in a script's reply and in the messages each process
 * receives on its channel, `[number, items]`.
 */
import type { MatchEvent } from "../core.ts";
import type { Resumed } from "../store.ts";
import { decodeWish, type LeftReason, RELAY_TYPES, type RelayType, type Role, type Wish } from "../../protocol/index.ts";

/** A signaling frame for a visitor on this process, from its partner on another. */
export interface Relayed {
  readonly from: string;
  readonly to: string;
  readonly type: RelayType;
  /** The frame as the recipient receives it (`src` already set). */
  readonly text: string;
}

export type Item =
  /** `address`: a match's partner's address key, when known (for reports of a partner on another process). */
  | { readonly kind: "event"; readonly event: MatchEvent; readonly address?: string }
  | { readonly kind: "relay"; readonly relay: Relayed }
  /** The visitor's socket is on another process now: close it here. */
  | { readonly kind: "moved"; readonly id: string }
  /** This process's claim of the visitor is done: what it found (Resumed). */
  | { readonly kind: "resumed"; readonly id: string; readonly resumed: Resumed }
  | { readonly kind: "marker" };

const ROLES: readonly string[] = ["caller", "callee"] satisfies Role[];
const REASONS: readonly string[] = ["next", "stop", "disconnect"] satisfies LeftReason[];
// Every type the server relays: a list of its own here once lost RESTART, and with it ICE restarts across processes.
const RELAYS: readonly string[] = RELAY_TYPES;

/** One item; null for anything our scripts do not write (a foreign or damaged message). */
export function decodeItem(raw: unknown): Item | null {
  if (!Array.isArray(raw)) return null;
  // A MATCH may go on with the interests both share ("" for none) and the partner's address key.
  const extended = raw.length === 7 && raw[0] === "m";
  const shared = extended && raw[5] !== "" ? raw[5] : undefined;
  const address = extended && typeof raw[6] === "string" && raw[6] !== "" ? raw[6] : undefined;
  const parts = extended ? raw.slice(0, 5) : raw;
  if (!parts.every((part) => typeof part === "string")) return null;
  if (shared !== undefined && !(Array.isArray(shared) && shared.length > 0 && shared.every((tag) => typeof tag === "string"))) {
    return null;
  }
  const [kind, a, b, c, d] = parts as string[];
  switch (kind) {
    case "w":
      return raw.length === 3 ? { kind: "event", event: { type: "waiting", to: a, pool: b } } : null;
    case "m":
      if (parts.length !== 5 || !ROLES.includes(c)) return null;
      return {
        kind: "event",
        ...(address === undefined ? {} : { address }),
        event: shared === undefined
          ? { type: "matched", to: a, partner: b, role: c as Role, pool: d }
          : { type: "matched", to: a, partner: b, role: c as Role, pool: d, interests: shared as string[] },
      };
    case "l":
      return raw.length === 4 && REASONS.includes(c)
        ? { kind: "event", event: { type: "partner-left", to: a, partner: b, reason: c as LeftReason } }
        : null;
    case "r":
      return raw.length === 5 && RELAYS.includes(c) ? { kind: "relay", relay: { from: a, to: b, type: c as RelayType, text: d } } : null;
    case "t":
      return raw.length === 2 ? { kind: "moved", id: a } : null;
    case "o": {
      if (raw.length !== 7) return null;
      const [, , , , address, pool, text] = raw as string[];
      return { kind: "resumed", id: a, resumed: { partner: b, left: c, wish: decodeStoredWish(pool, text), ...(address ? { address } : {}) } };
    }
    case "k":
      return { kind: "marker" };
    default:
      return null;
  }
}

/** The events of one command in a script's reply. */
export function decodeEvents(raw: unknown): MatchEvent[] {
  if (!Array.isArray(raw)) return [];
  return raw.map(decodeItem).flatMap((item) => item?.kind === "event" ? [item.event] : []);
}

/** A channel message: its number and items; null when it is not one of ours. */
export function decodeMessage(text: string): { number: number; items: Item[] } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "number") return null;
  // Lua's cjson writes an empty list as {}: no items.
  const items = Array.isArray(parsed[1]) ? parsed[1] : [];
  return { number: parsed[0], items: items.map(decodeItem).filter((item): item is Item => item !== null) };
}

/**
 * A wish beyond its pool, as rules.lua reads it: "" for a bare FIND (most
 * visitors: no bytes spent), else [textOnly 0|1, language|"", gender|"",
 * lookingFor|"", interest…]. Equal wishes give equal strings (sameWish).
 */
export function encodeWish(wish: Wish): string {
  const { textOnly, language, preferences, interests } = wish;
  if (!textOnly && language === null && preferences === null && interests.length === 0) return "";
  return JSON.stringify([textOnly ? 1 : 0, language ?? "", preferences?.gender ?? "", preferences?.lookingFor ?? "", ...interests]);
}

/** The wish encodeWish wrote, for `pool`; null for an idle visitor or anything unreadable. */
export function decodeStoredWish(pool: string, text: string): Wish | null {
  if (pool === "") return null;
  let parts: unknown = [];
  try {
    if (text !== "") parts = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parts)) return null;
  const [textOnly, language, gender, lookingFor, ...interests] = parts;
  const decoded = decodeWish({
    pool,
    interests,
    textOnly: textOnly === 1,
    ...(language ? { language } : {}),
    ...(gender ? { preferences: { gender, lookingFor } } : {}),
  });
  return decoded.ok ? decoded.wish : null;
}
