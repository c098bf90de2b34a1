/**
 * Address keys: what bans, reports and limits are keyed by instead of the
 * address itself. An IPv4 address, or the /64 prefix of an IPv6 one (a
 * household or a phone gets a whole /64, so its other addresses are the
 * same visitor), run through HMAC-SHA-256 under a secret that lives only
 * in the server process: a key cannot be turned back into an address, and
 * a restart makes new keys (the memory store forgets everything then anyway).
 */
import { createHmac, randomBytes } from "node:crypto";
import ipaddr from "ipaddr.js";

export type AddressKeyOf = (address: string) => string;

/**
 * @example
 * const keyOf = createAddressKeys();
 * keyOf("2001:db8:1:2::7") === keyOf("2001:db8:1:2:ffff::1"); // true: the same /64
 * keyOf("203.0.113.7");                                        // "9c1e…" (32 hex digits)
 */
export function createAddressKeys(secret: Uint8Array = randomBytes(32)): AddressKeyOf {
  return (address) => createHmac("sha256", secret).update(prefix(address)).digest("hex").slice(0, 32);
}

/** The part of an address that names a visitor: the IPv4 address, or the IPv6 /64. */
export function prefix(address: string): string {
  // Four decimal parts only: ipaddr.js would also read "1.2.3" or octal forms, which sockets never give.
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return `?${address}`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === "ipv4") return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(":")}::/64`;
}
