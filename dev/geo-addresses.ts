/**
 * Addresses to ask a country lookup about: seeded random IPv4 and IPv6, and
 * the edges of geoip-lite's own ranges read straight from its data files
 * (first and last address of a range, and the ones just outside), where an
 * off-by-one or a misread key would show. Shared by test/geo-lookup.test.ts
 * and bench/geo.ts so both ask the same questions.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GEOIP_DATA } from "./geoip-reference.ts";

export type Random = () => number;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const word = (random: Random) => Math.floor(random() * 2 ** 32);

export const ipv4Text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

export function randomIPv4(random: Random): string {
  return ipv4Text(word(random));
}

/** Eight groups from four 32-bit words, uncompressed: "2001:db8:0:0:…". */
export function ipv6Full(words: readonly number[]): string {
  return words.flatMap((w) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)]).join(":");
}

/** The same address as servers print it (RFC 5952: zeros compressed, "::"). */
export function ipv6Canonical(words: readonly number[]): string {
  return new URL(`http://[${ipv6Full(words)}]/`).hostname.slice(1, -1);
}

/** Mostly inside 2000::/3, where the data is; some groups zero so "::" appears. */
export function randomIPv6(random: Random): number[] {
  const words = [0x20000000 + word(random) % 0x0d000000, word(random), word(random), word(random)];
  return words.map((w, i) => i > 0 && random() < 0.3 ? (random() < 0.5 ? 0 : w & 0xffff) : w);
}

export type RangeEdges = { readonly ipv4: string[]; readonly ipv6: number[][] };

/**
 * For every n-th range (and every IPv6 range that overlaps the one before):
 * its first and last address and the addresses just before and after. IPv6
 * edges are in the 64 bits geoip-lite compares; the low 64 bits vary.
 */
export function rangeEdges(random: Random, every = { ipv4: 500, ipv6: 1500 }): RangeEdges {
  const ipv4: string[] = [];
  const v4 = readFileSync(join(GEOIP_DATA, "geoip-country.dat"));
  for (let at = 0; at < v4.length; at += 10 * every.ipv4) {
    const [start, end] = [v4.readUInt32BE(at), v4.readUInt32BE(at + 4)];
    for (const n of [start - 1, start, end, end + 1]) if (n >= 0 && n < 2 ** 32) ipv4.push(ipv4Text(n));
  }
  const ipv6: number[][] = [];
  const v6 = readFileSync(join(GEOIP_DATA, "geoip-country6.dat"));
  const high = (at: number) => BigInt(v6.readUInt32BE(at)) << 32n | BigInt(v6.readUInt32BE(at + 4));
  for (let record = 0; record < v6.length / 34; record++) {
    const at = record * 34;
    const overlaps = record > 0 && high(at) <= high(at - 34 + 16);
    if (record % every.ipv6 !== 0 && !overlaps) continue;
    for (const key of [high(at) - 1n, high(at), high(at + 16), high(at + 16) + 1n]) {
      if (key < 0n || key >= 2n ** 64n) continue;
      const words = [Number(key >> 32n), Number(key & 0xffffffffn)];
      ipv6.push([...words, 0, 0], [...words, random() < 0.5 ? 0xffffffff : 0, word(random) & 0xffff]);
    }
  }
  return { ipv4, ipv6 };
}
