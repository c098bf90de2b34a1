/**
 * Country lookup by IP over geoip-lite's country tables, without geoip-lite's
 * code: its two data files (found through its package.json) are searched in
 * place (geoip-table.ts), so 0.1 MB is held instead of the 14.5 MB it reads
 * into memory (its city tables, which it loads when present, ~180 MB).
 *
 * Answers are geoip-lite 1.4.10's `lookup(ip)?.country || null`, address for
 * address (test/geo-lookup.test.ts): null for its private ranges, for space
 * its tables do not cover and for anything that is not an address.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type GeoipTable, IPV4_TABLE, IPV6_TABLE, openGeoipTable } from "./geoip-table.ts";
import { ipv4Number, ipv6Key } from "./ip-key.ts";

export type LookupCountry = (ip: string) => string | null;

/** geoip-lite skips these three IPv4 ranges whatever its data says. */
const PRIVATE_IPV4 = [[0x0a000000, 0x0affffff], [0xac100000, 0xac1fffff], [0xc0a80000, 0xc0a8ffff]] as const;

/** A lookup's open files are closed once nothing can call it any more. */
const openTables = new FinalizationRegistry<readonly GeoipTable[]>((tables) => {
  for (const table of tables) table.close();
});

/**
 * Opens the country tables and returns the lookup; throws if they are missing
 * or not whole records.
 * @example
 * const lookupCountry = await loadCountryLookup();
 * lookupCountry("81.2.69.160"); // "GB"
 * lookupCountry("10.0.0.1"); // null
 */
export async function loadCountryLookup(): Promise<LookupCountry> {
  const dataDir = join(dirname(createRequire(import.meta.url).resolve("geoip-lite/package.json")), "data");
  const ipv4 = openGeoipTable(join(dataDir, IPV4_TABLE.file), IPV4_TABLE);
  let ipv6: GeoipTable;
  try {
    ipv6 = openGeoipTable(join(dataDir, IPV6_TABLE.file), IPV6_TABLE);
  } catch (error) {
    ipv4.close();
    throw error;
  }
  const country4 = (key: number) => {
    if (key > 0xffffffff) return null;
    for (const [first, last] of PRIVATE_IPV4) if (key >= first && key <= last) return null;
    return ipv4.country(0, key);
  };
  const lookup: LookupCountry = (ip) => {
    if (typeof ip !== "string") return null;
    const number = ipv4Number(ip);
    if (number >= 0) return country4(number);
    const key = ipv6Key(ip);
    if (key === null) return null;
    return key.kind === "ipv4" ? country4(key.key) : ipv6.country(key.hi, key.lo);
  };
  openTables.register(lookup, [ipv4, ipv6]);
  return lookup;
}
