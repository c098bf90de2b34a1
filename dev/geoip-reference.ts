/**
 * The reference our country lookup must agree with: geoip-lite 1.4.10's own
 * `lookup(ip)?.country || null`, loaded as the server used to load it, from
 * a private folder holding only its two country files (with the city files
 * beside them it would answer from those, and take ~180 MB).
 */
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { LookupCountry } from "../src/geo/lookup.ts";

const require = createRequire(import.meta.url);

/** The folder of geoip-lite's data files. */
export const GEOIP_DATA = join(dirname(require.resolve("geoip-lite/package.json")), "data");

/** geoip-lite's lookup over its country tables; loads once per process. */
export async function loadGeoipLite(): Promise<LookupCountry> {
  const countryDir = await mkdtemp(join(tmpdir(), "chatroulette-geoip-"));
  try {
    for (const file of ["geoip-country.dat", "geoip-country6.dat"]) {
      await symlink(join(GEOIP_DATA, file), join(countryDir, file));
    }
    (globalThis as { geodatadir?: string }).geodatadir = countryDir;
    // geoip-lite reads both tables whole, synchronously, when first required.
    const geoip = require("geoip-lite") as typeof import("geoip-lite");
    return (ip) => geoip.lookup(ip)?.country || null;
  } finally {
    await rm(countryDir, { recursive: true, force: true });
  }
}
