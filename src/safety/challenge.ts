/**
 * The proof-of-work challenge, self-hosted: altcha-lib's challenges in
 * deterministic mode. The server picks a secret counter, derives its key
 * once and signs it; the client must derive keys for counters 0, 1, 2, …
 * until one matches, so solving costs the client ~COUNTER × COST PBKDF2
 * rounds while checking a solution costs the server two HMACs. Challenges
 * expire, and a solution is accepted once (the store remembers spent ones).
 */
import { createHmac, randomBytes, randomInt } from "node:crypto";
import { createChallenge, verifySolution } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import type { Challenge, ChallengeAnswer } from "../protocol/index.ts";
import type { SafetyStore } from "./store.ts";

export const CHALLENGE = {
  algorithm: "PBKDF2/SHA-256",
  /**
   * PBKDF2 rounds per counter, and the range the secret counter is drawn
   * from: a client derives ~400 keys of 1,000 rounds (Chromium: ~0.44 ms a
   * key, each a WebCrypto call, measured; more rounds a key would cost the
   * server more to make each challenge). Creating one costs the server one
   * derivation (~0.6 ms, off the main thread); bench/run.ts measures the
   * solve in Chromium and what the server sustains.
   */
  cost: 1_000,
  counter: { min: 200, max: 600 },
  /** Long enough for a slow phone; a solution is accepted once, within this. */
  ttlMs: 120_000,
} as const;

export type AnswerCheck = "ok" | "invalid" | "expired" | "used";

export interface Challenges {
  create(now: number): Promise<Challenge>;
  /** Checks a client's answer and spends it: a second use of the same challenge is "used". */
  check(answer: ChallengeAnswer, now: number): Promise<AnswerCheck>;
}

/**
 * @example
 * const challenges = createChallenges({ store });
 * const challenge = await challenges.create(Date.now()); // to the client, which solves it
 * await challenges.check(answer, Date.now());           // "ok", then "used"
 */
export function createChallenges(
  { store, secret = randomBytes(32), cost = CHALLENGE.cost, counter = CHALLENGE.counter }: {
    store: Pick<SafetyStore, "useOnce">;
    /** Processes given the same key accept each other's challenges; a random one by default. */
    secret?: Uint8Array;
    /** Tests make challenges cheap to solve. */
    cost?: number;
    counter?: { readonly min: number; readonly max: number };
  },
): Challenges {
  const derive = (use: string) => createHmac("sha256", secret).update(use).digest("hex");
  const secrets = { hmacSignatureSecret: derive("signature"), hmacKeySignatureSecret: derive("key signature") };
  return {
    async create(now) {
      const challenge = await createChallenge({
        algorithm: CHALLENGE.algorithm,
        cost,
        counter: randomInt(counter.min, counter.max),
        deriveKey,
        expiresAt: Math.ceil((now + CHALLENGE.ttlMs) / 1000),
        ...secrets,
      });
      return challenge as Challenge;
    },
    async check({ challenge, solution }, now) {
      const expiresAt = (challenge.parameters.expiresAt ?? 0) * 1000;
      // Our clock decides expiry (altcha-lib also checks against the system clock).
      if (expiresAt <= now) return "expired";
      // Only challenges we signed, with the key signature we made, are ever derived from.
      if (challenge.parameters.algorithm !== CHALLENGE.algorithm || !challenge.parameters.keySignature) return "invalid";
      const result = await verifySolution({ challenge, solution, deriveKey, ...secrets });
      if (result.expired) return "expired";
      if (!result.verified) return "invalid";
      return await store.useOnce(challenge.signature, expiresAt, now) ? "ok" : "used";
    },
  };
}
