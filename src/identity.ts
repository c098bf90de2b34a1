/**
 * Server-issued identities: a random peer id plus an HMAC token that only
 * this server (or, with --secret, the processes sharing its key) can mint.
 * The signaling socket is accepted for id X only with X's token, so nobody
 * can squat or steal another visitor's id.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Identity } from "./protocol/index.ts";

export interface Identities {
  issue(): Identity;
  verify(id: string, token: string): boolean;
}

/**
 * Processes given the same `secret` (--secret) accept each other's
 * identities; without one, a random key lives only in this process.
 * @example
 * const identities = createIdentities();
 * const { id, token } = identities.issue();
 * identities.verify(id, token); // true
 */
export function createIdentities(secret: string | Uint8Array = randomBytes(32)): Identities {
  // A key of its own, derived from the operator's secret, so that other uses
  // of the same secret (an address HMAC, say) never sign with the same key.
  const key = createHmac("sha256", secret).update("chatroulette identity v1").digest();
  const sign = (id: string) => createHmac("sha256", key).update(id).digest("base64url");
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
