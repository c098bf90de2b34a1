/**
 * Country lookup, ours (src/geo/lookup.ts) beside geoip-lite's own, each
 * loaded in a fresh Node process so neither's memory counts in the other's:
 * load time; memory held once loaded (V8 heap, external memory, which holds
 * ArrayBuffers, and RSS: each after full GCs, minus the same before loading);
 * lookups per second over fixed seeded addresses (IPv4 and IPv6, random and
 * on range edges), best of five rounds. `measureGeo()` returns the figures.
 *
 *   node --import tsx bench/geo.ts
 */
import { execFileSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type LookupCountry, loadCountryLookup } from "../src/geo/lookup.ts";
import { ipv6Canonical, randomIPv4, randomIPv6, rangeEdges, seeded } from "../dev/geo-addresses.ts";
import { loadGeoipLite } from "../dev/geoip-reference.ts";

const SUBJECTS = { ours: loadCountryLookup, "geoip-lite": loadGeoipLite } as const;
type Subject = keyof typeof SUBJECTS;

export type GeoFigures = {
  readonly loadMs: number;
  readonly heapKiB: number;
  readonly externalKiB: number;
  readonly rssKiB: number;
  readonly ipv4PerSecond: number;
  readonly ipv6PerSecond: number;
};

/** Runs each subject in its own process, one after the other. */
export function measureGeo(): Record<Subject, GeoFigures> {
  const run = (subject: Subject): GeoFigures =>
    JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), subject], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
    }));
  return { ours: run("ours"), "geoip-lite": run("geoip-lite") };
}

/** In the child: load one subject and measure it. */
async function measure(subject: Subject): Promise<GeoFigures> {
  const random = seeded(1);
  const edges = rangeEdges(random);
  const ipv4 = [...edges.ipv4, ...Array.from({ length: 20_000 }, () => randomIPv4(random))];
  const ipv6 = [...edges.ipv6, ...Array.from({ length: 20_000 }, () => randomIPv6(random))].map(ipv6Canonical);
  const before = await settled();
  const started = performance.now();
  const lookup = await SUBJECTS[subject]();
  const loadMs = performance.now() - started;
  const after = await settled();
  return {
    loadMs,
    heapKiB: (after.heapUsed - before.heapUsed) / 1024,
    externalKiB: (after.external - before.external) / 1024,
    rssKiB: (after.rss - before.rss) / 1024,
    ipv4PerSecond: perSecond(lookup, ipv4),
    ipv6PerSecond: perSecond(lookup, ipv6),
  };
}

/** Memory after full GCs, once freed ArrayBuffers have been returned. */
async function settled(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage();
}

function perSecond(lookup: LookupCountry, addresses: readonly string[]): number {
  let best = 0;
  let found = 0;
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    let done = 0;
    while (performance.now() - started < 200) {
      for (const ip of addresses) if (lookup(ip) !== null) found++;
      done += addresses.length;
    }
    best = Math.max(best, done / ((performance.now() - started) / 1000));
  }
  if (found === 0) throw new Error("no address had a country");
  return best;
}

function print(figures: Record<Subject, GeoFigures>) {
  const mb = (kib: number) => `${(kib / 1024).toFixed(1)} MB`;
  const rate = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;
  const rows = [
    ["", "ours", "geoip-lite"],
    ...([
      ["load", (f) => `${Math.round(f.loadMs)} ms`],
      ["heap held", (f) => mb(f.heapKiB)],
      ["external held", (f) => mb(f.externalKiB)],
      ["RSS added", (f) => mb(f.rssKiB)],
      ["IPv4 lookups", (f) => rate(f.ipv4PerSecond)],
      ["IPv6 lookups", (f) => rate(f.ipv6PerSecond)],
    ] as const satisfies readonly (readonly [string, (f: GeoFigures) => string])[]).map(([name, show]) => [
      name,
      show(figures.ours),
      show(figures["geoip-lite"]),
    ]),
  ];
  for (const row of rows) console.log(row.map((cell, i) => i === 0 ? cell.padEnd(14) : cell.padStart(12)).join(""));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const subject = process.argv[2];
  if (subject === "ours" || subject === "geoip-lite") console.log(JSON.stringify(await measure(subject)));
  else print(measureGeo());
}
