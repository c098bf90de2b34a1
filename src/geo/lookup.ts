/**
 * Country lookup by IP from geoip-lite's country tables, without geoip-lite's
 * code: we read its two data files once and keep a compact table of each
 * (country-table.ts), 3.1 MB instead of the 14.4 MB of records geoip-lite
 * holds (its city tables, which it loads when present, would be ~180 MB).
 *
 * Answers are geoip-lite 1.4.10's `lookup(ip)?.country || null`, address for
 * address (test/geo-lookup.test.ts): null for its private ranges, for space
 * its tables do not cover and for anything that is not an address.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { buildCountryTable } from "./country-table-build.ts";
import { countryOf4, countryOf6, type CountryTable } from "./country-table.ts";
import { type DatLayout, datTable, IPV4_LAYOUT, IPV6_LAYOUT, type ReadAt } from "./dat-table.ts";
import { ipv4Number, ipv6Key } from "./ip-key.ts";

export type LookupCountry = (ip: string) => string | null;

export type CountryTables = { readonly ipv4: CountryTable; readonly ipv6: CountryTable };

/** geoip-lite skips these three IPv4 ranges whatever its data says. */
const PRIVATE_IPV4 = [[0x0a000000, 0x0affffff], [0xac100000, 0xac1fffff], [0xc0a80000, 0xc0a8ffff]] as const;

/** Reads geoip-lite's two country files (from its installed package) into compact tables. */
export function loadCountryTables(): CountryTables {
  const dataDir = join(dirname(createRequire(import.meta.url).resolve("geoip-lite/package.json")), "data");
  return { ipv4: loadTable(join(dataDir, IPV4_LAYOUT.file), IPV4_LAYOUT), ipv6: loadTable(join(dataDir, IPV6_LAYOUT.file), IPV6_LAYOUT) };
}

function loadTable(path: string, layout: DatLayout): CountryTable {
  const fd = openSync(path, "r");
  try {
    const readAt: ReadAt = (into, position) => readSync(fd, into, 0, into.length, position);
    return buildCountryTable(datTable(layout, fstatSync(fd).size, readAt));
  } finally {
    closeSync(fd);
  }
}

/** The lookup over loaded tables. */
export function countryLookup({ ipv4, ipv6 }: CountryTables): LookupCountry {
  const country4 = (key: number) => {
    if (key > 0xffffffff) return null;
    for (const [first, last] of PRIVATE_IPV4) if (key >= first && key <= last) return null;
    return countryOf4(ipv4, key);
  };
  return (ip) => {
    if (typeof ip !== "string") return null;
    const number = ipv4Number(ip);
    if (number >= 0) return country4(number);
    const key = ipv6Key(ip);
    if (key === null) return null;
    return key.kind === "ipv4" ? country4(key.key) : countryOf6(ipv6, key.hi, key.lo);
  };
}

/**
 * Loads the country tables and returns the lookup.
 * @example
 * const lookupCountry = await loadCountryLookup();
 * lookupCountry("81.2.69.160"); // "GB"
 * lookupCountry("10.0.0.1"); // null
 */
export async function loadCountryLookup(): Promise<LookupCountry> {
  return countryLookup(loadCountryTables());
}
