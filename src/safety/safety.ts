/**
 * The safety parts built from the config, for server.ts to wire: the store
 * (reports, bans, limits), address keys, challenges and the identity admission.
 */
import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ClientAddress } from "../client-ip.ts";
import type { Config } from "../config/schema.ts";
import type { Identity } from "../protocol/index.ts";
import { type Admission, createAdmission } from "./admission.ts";
import { type AddressKeyOf, createAddressKeys } from "./address-key.ts";
import { type Challenges, createChallenges } from "./challenge.ts";
import { createMemorySafetyStore, type SafetyPolicy, type SafetyStore } from "./store.ts";

export interface Safety {
  readonly store: SafetyStore;
  /** An address's key. */
  readonly addressKey: AddressKeyOf;
  /** A request's address key, through the --trust-proxy rules. */
  readonly keyOf: (req: IncomingMessage) => string;
  readonly challenges: Challenges;
  readonly admission: Admission;
}

export type SafetyConfig = Pick<
  Config,
  "banReports" | "banWindow" | "banDuration" | "identitiesPerMinute" | "challenge" | "challengeAbove"
>;

/** The policy a safety store applies, from the config. */
export function safetyPolicy(config: SafetyConfig): SafetyPolicy {
  return {
    ban: { reports: config.banReports, windowMs: config.banWindow, durationMs: config.banDuration },
    identitiesPerMinute: config.identitiesPerMinute,
  };
}

/**
 * @example
 * const safety = createSafety({ config, clientAddress, issueIdentity: identities.issue, now: Date.now });
 * app.post("/api/identity", async (req, res) => res.json(await safety.admission.identity(req, null)));
 */
export function createSafety(
  { config, clientAddress, issueIdentity, store, secret, now }: {
    config: SafetyConfig;
    clientAddress: ClientAddress;
    /** A new identity, once admitted. */
    issueIdentity: () => Identity;
    /** Defaults to the in-memory store. */
    store?: SafetyStore;
    /**
     * --secret: processes sharing it (and a Redis store) make the same address
     * keys and accept each other's challenges; null: random keys of this process.
     */
    secret?: string | null;
    now: () => number;
  },
): Safety {
  const safetyStore = store ?? createMemorySafetyStore(safetyPolicy(config));
  // A key per use, derived from the operator's secret (as identity.ts does).
  const derive = (use: string) => secret ? createHmac("sha256", secret).update(`chatroulette ${use} v1`).digest() : undefined;
  const addressKey = createAddressKeys(derive("address keys"));
  const keyOf = (req: IncomingMessage) => addressKey(clientAddress(req));
  const challenges = createChallenges({ store: safetyStore, secret: derive("challenges") });
  const admission = createAdmission({ issueIdentity, store: safetyStore, challenges, keyOf, config, now });
  return { store: safetyStore, addressKey, keyOf, challenges, admission };
}
