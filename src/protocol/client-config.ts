/**
 * What a client needs to connect, and what it is given: the client config
 * (inline in the page and at GET /api/config), an identity, and the address
 * of the signaling socket.
 */
import type { Rate } from "./safety.ts";

/** peerjs's API key; peerjs sends it as ?key= and the server checks it. */
export const PEER_KEY = "peerjs";

/** Longest chat message, in characters. */
export const MAX_MESSAGE_LENGTH = 1000;

export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/**
 * Whether media goes through the operator's TURN relay, so that strangers
 * never learn each other's addresses: `forced` (`--relay-only`: always),
 * `optional` (TURN is configured: each visitor may choose "Hide my IP
 * address"), `unavailable` (no TURN).
 */
export type RelayPolicy = "unavailable" | "optional" | "forced";
export const RELAY_POLICIES = ["unavailable", "optional", "forced"] as const satisfies readonly RelayPolicy[];

export interface ClientConfig {
  /** peerjs `path` option: the signaling mount with a trailing slash. */
  readonly path: string;
  /** peerjs `key` option. */
  readonly key: string;
  readonly iceServers: readonly IceServer[];
  /** Longest chat message, in characters. */
  readonly maxMessageLength: number;
  readonly relay: RelayPolicy;
  /** The age a visitor must confirm before the camera is asked for; 0: no consent screen. */
  readonly minAge: number;
  /** The operator's rules, shown as plain text on the consent screen. */
  readonly rules: string;
  /** How often Next may be pressed (the server refuses more with REJECTED rate_limited). */
  readonly nextLimit: Rate;
  /** The server filters by self-declared gender (--preferences): show "I am" and "Show me". */
  readonly preferences: boolean;
}

/** POST /api/identity's answer: who the visitor is to the signaling server. */
export interface Identity {
  readonly id: string;
  readonly token: string;
  /**
   * With TURN: every ICE server this visitor uses, its own short-lived TURN
   * credentials included. Use these rather than the client config's.
   */
  readonly iceServers?: readonly IceServer[];
  /** With TURN: seconds until those credentials expire; ask for a new identity before then. */
  readonly expiresIn?: number;
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;

/** An RTCIceServer as JSON: `urls` one URL or a non-empty list of them, string credentials. */
export function isIceServer(value: unknown): value is IceServer {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { urls, username, credential } = value as Record<string, unknown>;
  const isUrl = (u: unknown) => typeof u === "string" && ICE_URL.test(u);
  return (isUrl(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(isUrl))) &&
    (username === undefined || typeof username === "string") &&
    (credential === undefined || typeof credential === "string");
}

/**
 * Reads POST /api/identity's answer; null when it is not one.
 * @example
 * decodeIdentity({ id: "6f1c…", token: "Yx0…" });                                   // the identity
 * decodeIdentity({ id: "6f1c…", token: "Yx0…", iceServers: [...], expiresIn: 3600 }); // with TURN
 * decodeIdentity({ id: 7 });                                                         // null
 */
export function decodeIdentity(body: unknown): Identity | null {
  if (typeof body !== "object" || body === null) return null;
  const { id, token, iceServers, expiresIn } = body as Record<string, unknown>;
  if (typeof id !== "string" || typeof token !== "string") return null;
  if (iceServers === undefined && expiresIn === undefined) return { id, token };
  if (!Array.isArray(iceServers) || !iceServers.every(isIceServer)) return null;
  if (typeof expiresIn !== "number" || !(expiresIn > 0)) return null;
  return { id, token, iceServers, expiresIn };
}

/**
 * The signaling socket's URL for `identity` on the server at `origin`.
 * @example
 * socketUrl("http://127.0.0.1:8080", "/signaling/", { id: "6f1c…", token: "Yx0…" });
 * // "ws://127.0.0.1:8080/signaling/peerjs?key=peerjs&id=6f1c…&token=Yx0…"
 */
export function socketUrl(origin: string, path: string, { id, token }: Identity): string {
  const url = new URL(`${path.replace(/\/?$/, "/")}peerjs`, origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = new URLSearchParams({ key: PEER_KEY, id, token }).toString();
  return url.toString();
}
