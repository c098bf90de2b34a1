/**
 * Country lookup by IP with geoip-lite, loading its country tables only.
 *
 * geoip-lite loads its city tables (~180 MB RSS) unless its data folder holds
 * country files alone, so we point it at a folder of links to those two files.
 */
import { createHash } from "node:crypto";
import { mkdir, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type LookupCountry = (ip: string) => string | null;

const COUNTRY_FILES = ["geoip-country.dat", "geoip-country6.dat"];

/** Loads the country tables once per process and returns the lookup. */
export async function loadCountryLookup(): Promise<LookupCountry> {
  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve("geoip-lite/package.json")), "data");
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
  const countryDir = join(tmpdir(), `chatroulette-geoip-${id}`);
  await mkdir(countryDir, { recursive: true });
  for (const file of COUNTRY_FILES) {
    // Several servers may start at once: an existing link is the same link.
    await symlink(join(dataDir, file), join(countryDir, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
  (globalThis as { geodatadir?: string }).geodatadir = countryDir;
  const geoip = require("geoip-lite") as typeof import("geoip-lite");
  return (ip) => geoip.lookup(ip)?.country || null;
}
