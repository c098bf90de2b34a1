/**
 * Server-issued identities: a random peer id plus an HMAC token that only
 * this server can mint. The signaling socket is accepted for id X only with
 * X's token, so nobody can squat or steal another visitor's id.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Identity } from "./protocol/index.ts";

export interface Identities {
  issue(): Identity;
  verify(id: string, token: string): boolean;
}

/**
 * @example
 * const identities = createIdentities();
 * const { id, token } = identities.issue();
 * identities.verify(id, token); // true
 */
export function createIdentities(secret: Uint8Array = randomBytes(32)): Identities {
  const sign = (id: string) => createHmac("sha256", secret).update(id).digest("base64url");
  return {
    issue() {
      // UUIDs are valid peerjs ids (alphanumerics joined by single dashes).
      const id = randomUUID();
      return { id, token: sign(id) };
    },
    verify(id, token) {
      const expected = Buffer.from(sign(id));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
