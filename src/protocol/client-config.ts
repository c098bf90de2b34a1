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

export interface ClientConfig {
  /** peerjs `path` option: the signaling mount with a trailing slash. */
  readonly path: string;
  /** peerjs `key` option. */
  readonly key: string;
  readonly iceServers: readonly IceServer[];
  /** Longest chat message, in characters. */
  readonly maxMessageLength: number;
  /** The server filters by self-declared gender (--preferences): show "I am" and "Show me". */
  readonly preferences: boolean;
  /** The age a visitor must confirm before the camera is asked for; 0: no consent screen. */
  readonly minAge: number;
  /** The operator's rules, shown as plain text on the consent screen. */
  readonly rules: string;
  /** How often Next may be pressed (the server refuses more with REJECTED rate_limited). */
  readonly nextLimit: Rate;
}

/** POST /api/identity's answer: who the visitor is to the signaling server. */
export interface Identity {
  readonly id: string;
  readonly token: string;
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
