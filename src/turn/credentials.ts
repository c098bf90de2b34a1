/**
 * Short-lived TURN credentials, one set per visitor, in the "TURN REST API"
 * scheme that coturn checks with `use-auth-secret` / `static-auth-secret`:
 * username `<unix expiry>:<visitor id>`, password
 * base64(HMAC-SHA1(secret, username)). coturn needs no call from us: it
 * recomputes the HMAC and refuses a username whose time has passed. Static
 * credentials in the page would be an open relay for anyone who reads them;
 * these expire, and name the visitor in coturn's logs.
 *
 * The secret stays in this closure: only usernames and HMACs leave it.
 */
import { createHmac } from "node:crypto";
import type { IceServer } from "../protocol/index.ts";

export interface TurnCredentials {
  /** Every ICE server for `user` (the static ones, then TURN with its credentials), valid for `expiresIn` seconds. */
  issue(user: string): { iceServers: IceServer[]; expiresIn: number };
}

/**
 * @example
 * const turn = createTurnCredentials({ urls: ["turn:turn.example.org:3478"], secret, ttlSeconds: 3600, staticServers: [] });
 * turn.issue("6f1c…"); // { iceServers: [{ urls: [...], username: "1767225600:6f1c…", credential: "q0v…=" }], expiresIn: 3600 }
 */
export function createTurnCredentials(
  { urls, secret, ttlSeconds, staticServers, now = Date.now }: {
    urls: readonly string[];
    secret: string;
    ttlSeconds: number;
    /** Handed out before the TURN entry (STUN, the operator's iceServers). */
    staticServers: readonly IceServer[];
    now?: () => number;
  },
): TurnCredentials {
  if (urls.length === 0 || secret === "") throw new Error("createTurnCredentials: needs TURN URLs and a secret");
  const turnUrls = [...urls];
  return {
    issue(user) {
      const username = `${Math.floor(now() / 1000) + ttlSeconds}:${user}`;
      const credential = createHmac("sha1", secret).update(username).digest("base64");
      return { iceServers: [...staticServers, { urls: turnUrls, username, credential }], expiresIn: ttlSeconds };
    },
  };
}
