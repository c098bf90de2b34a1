/**
 * The admission gate: client address (trusted proxies only) → country →
 * policy. One function serves HTTP requests and WebSocket upgrades alike.
 */
import type { IncomingMessage } from "node:http";
import type { ClientAddress } from "../client-ip.ts";
import { Refusal } from "../refusal.ts";
import { countryName } from "./countries.ts";
import type { LookupCountry } from "./lookup.ts";
import type { CountryPolicy } from "./policy.ts";

export type GeoGate = (req: IncomingMessage) => void;

/**
 * Builds the gate; it throws a `country_blocked` Refusal for visitors the
 * policy refuses. `lookupCountry` may be omitted when the policy admits everyone.
 * @example
 * const gate = createGeoGate({ clientAddress, lookupCountry, policy });
 * gate(req); // throws Refusal("country_blocked") for a refused country
 */
export function createGeoGate(
  { clientAddress, lookupCountry, policy }: {
    clientAddress: ClientAddress;
    lookupCountry?: LookupCountry;
    policy: CountryPolicy;
  },
): GeoGate {
  if (policy.admitsEveryone) return () => {};
  if (!lookupCountry) throw new Error("createGeoGate: the country policy needs lookupCountry");
  return (req) => {
    const country = lookupCountry(clientAddress(req));
    const verdict = policy.decide(country);
    if (verdict.allowed) return;
    throw new Refusal("country_blocked", {
      country,
      reason: verdict.reason,
    }, country === null
      ? "Chatroulette is not available from your network (its country is unknown)."
      : `Chatroulette is not available in your country (${countryName(country)}).`);
  };
}
