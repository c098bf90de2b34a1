/**
 * Country lookup by IP with geoip-lite, loading its country tables only.
 *
 * geoip-lite loads its city tables (~180 MB RSS) unless its data folder holds
 * country files alone, so we point it at a folder of links to those two files:
 * a new private folder (mode 0700, from mkdtemp), which no other user can
 * prepare or swap, removed once geoip-lite has read the tables into memory.
 */
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type LookupCountry = (ip: string) => string | null;

const COUNTRY_FILES = ["geoip-country.dat", "geoip-country6.dat"];

/** Loads the country tables (once per process) and returns the lookup. */
export async function loadCountryLookup(): Promise<LookupCountry> {
  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve("geoip-lite/package.json")), "data");
  const countryDir = await mkdtemp(join(tmpdir(), "chatroulette-geoip-"));
  try {
    for (const file of COUNTRY_FILES) await symlink(join(dataDir, file), join(countryDir, file));
    (globalThis as { geodatadir?: string }).geodatadir = countryDir;
    // geoip-lite reads both tables whole, synchronously, when first required.
    const geoip = require("geoip-lite") as typeof import("geoip-lite");
    return (ip) => geoip.lookup(ip)?.country || null;
  } finally {
    await rm(countryDir, { recursive: true, force: true });
  }
}
