/**
 * Who gets an identity (POST /api/identity): not a banned address, not more
 * than --identities-per-minute from one address, and, per --challenge, only
 * after solving a proof-of-work challenge: `always`; `auto` for addresses
 * that tripped a limit or were reported in the last hour, and for everyone
 * while identities are asked for faster than --challenge-above a minute.
 */
import type { IncomingMessage } from "node:http";
import type { Config } from "../config/schema.ts";
import { type ChallengeAnswer, decodeChallengeAnswer, type Identity } from "../protocol/index.ts";
import { bannedRefusal, Refusal } from "../refusal.ts";
import type { Challenges } from "./challenge.ts";
import type { SafetyStore } from "./store.ts";

export interface Admission {
  /** An identity for this request, or throws the Refusal that answers it. `body` is the raw request body. */
  identity(req: IncomingMessage, body: Uint8Array | null): Promise<Identity>;
}

/**
 * @example
 * const admission = createAdmission({ issueIdentity: identities.issue, store, challenges, keyOf, config, now: Date.now });
 * const identity = await admission.identity(req, body); // or throws Refusal("challenge_required", { challenge })
 */
export function createAdmission(
  { issueIdentity, store, challenges, keyOf, config, now }: {
    /** A new identity (with TURN credentials, when there is TURN). */
    issueIdentity: () => Identity;
    store: SafetyStore;
    challenges: Challenges;
    keyOf: (req: IncomingMessage) => string;
    config: Pick<Config, "challenge" | "challengeAbove">;
    now: () => number;
  },
): Admission {
  return {
    async identity(req, body) {
      const answer = readAnswer(body);
      const at = now();
      // Bans and the address's rate first: a flood of forged answers uses up its budget like any request.
      const verdict = await store.admitIdentity(keyOf(req), at);
      if (verdict.kind === "banned") throw bannedRefusal(verdict.ban.until);
      if (verdict.kind === "limited") throw new Refusal("rate_limited", { retryAfter: Math.ceil(verdict.retryAfterMs / 1000) });
      if (answer) {
        const checked = await challenges.check(answer, at);
        if (checked !== "ok") throw new Refusal(`challenge_${checked}`);
      }
      const challenged = config.challenge === "always" ||
        (config.challenge === "auto" && (verdict.suspect || verdict.perMinute > config.challengeAbove));
      if (challenged && !answer) throw new Refusal("challenge_required", { challenge: await challenges.create(at) });
      return issueIdentity();
    },
  };
}

/** The challenge answer in a request body; null for no body; a 400 for anything else. */
function readAnswer(body: Uint8Array | null): ChallengeAnswer | null {
  if (!body || body.length === 0) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    json = undefined;
  }
  const answer = decodeChallengeAnswer(json);
  if (!answer) throw new Refusal("bad_request", {}, 'The body must be {"challenge": …, "solution": {"counter": …, "derivedKey": "…"}} or empty.');
  return answer;
}
