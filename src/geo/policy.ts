/**
 * The country policy as a pure decision: given the country of an address
 * (or null when it has none), may the visitor in?
 */
import type { Config } from "../config/schema.ts";

export type Verdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: "not_allowed" | "blocked" | "unknown" };

export type CountryPolicy = {
  /** True when no decision depends on the country, so no lookup is needed. */
  readonly admitsEveryone: boolean;
  decide(country: string | null): Verdict;
};

/**
 * @example
 * const policy = createCountryPolicy({ country: ["IN"], blockCountry: [], unknownCountry: "allow" });
 * policy.decide("IN"); // { allowed: true }
 * policy.decide("US"); // { allowed: false, reason: "not_allowed" }
 */
export function createCountryPolicy(
  { country, blockCountry, unknownCountry }: Pick<Config, "country" | "blockCountry" | "unknownCountry">,
): CountryPolicy {
  const allow = new Set(country);
  const block = new Set(blockCountry);
  const ALLOWED: Verdict = { allowed: true };
  return {
    admitsEveryone: allow.size === 0 && block.size === 0 && unknownCountry === "allow",
    decide(code) {
      if (code === null) return unknownCountry === "allow" ? ALLOWED : { allowed: false, reason: "unknown" };
      if (block.has(code)) return { allowed: false, reason: "blocked" };
      if (allow.size > 0 && !allow.has(code)) return { allowed: false, reason: "not_allowed" };
      return ALLOWED;
    },
  };
}
