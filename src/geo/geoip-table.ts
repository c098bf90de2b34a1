/**
 * One of geoip-lite 1.4.10's country tables, searched where it lies on disk
 * with geoip-lite's own binary search: the records its first 11 steps probe
 * are kept as they are met (2,047 at most: 20 KB for IPv4, 70 KB for IPv6),
 * and the ~220 records left after them are read with one positioned read.
 * Running its search on its records gives its answers, overlapping ranges
 * included (in 20 places of its IPv6 table 1,479 ranges start inside an
 * earlier one, and which answers depends on the order it probes them).
 *
 * Measured (bench/geo.ts, Node 20, 2-core VM): 0.1 MB held, RSS +0, ~1 ms to
 * open, 0.3 M IPv4 / 0.16 M IPv6 lookups/s (a positioned read each). Compact
 * arrays of every range instead (commit 04ab2ca) held 3.0 MB, RSS +6 MB (an
 * idle server ~12 MB more), took 200–400 ms to build at start, and did
 * 2.4–4.2 M / 0.5 M lookups/s; geoip-lite holds 14.5 MB, RSS +14 MB, loads
 * in ~65 ms, does 1.1 M / 0.3 M. One lookup runs per request or upgrade,
 * which costs far more than a few µs, so memory and start-up decide.
 *
 * Record layout (learned from geoip-lite's lib/geoip.js): fixed-size records
 * sorted by start. IPv4: start u32 BE, end u32 BE, 2 country bytes (10 bytes).
 * IPv6: 16-byte start, 16-byte end, 2 country bytes (34 bytes), of which
 * geoip-lite compares only the first 8 bytes of each address; so a key here
 * is two 32-bit words, high then low (IPv4: high is 0). The country is its
 * two bytes as UTF-8, cut at a NUL for IPv6; empty means none.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export type TableLayout = {
  readonly file: string;
  readonly recordSize: number;
  readonly endOffset: number;
  readonly countryOffset: number;
  /** IPv6 keys have a high word; IPv4 keys are the low word alone. */
  readonly wide: boolean;
};

export const IPV4_TABLE: TableLayout = { file: "geoip-country.dat", recordSize: 10, endOffset: 4, countryOffset: 8, wide: false };
export const IPV6_TABLE: TableLayout = { file: "geoip-country6.dat", recordSize: 34, endOffset: 16, countryOffset: 32, wide: true };

export type GeoipTable = {
  /** geoip-lite's country for a key, or null. Throws once closed, or if the file can no longer be read. */
  country(hi: number, lo: number): string | null;
  close(): void;
};

/** Steps of the search whose records are kept in memory. */
const KEPT_STEPS = 11;
const KEPT = 2 ** KEPT_STEPS - 1;
const utf8 = new TextDecoder();

/** Opens a table; throws, naming the file, when it is not whole records. */
export function openGeoipTable(path: string, layout: TableLayout): GeoipTable {
  const fd = openSync(path, "r");
  try {
    return searchTable(fd, path, layout);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function searchTable(fd: number, path: string, layout: TableLayout): GeoipTable {
  const { recordSize: size, endOffset, wide } = layout;
  const bytes = fstatSync(fd).size;
  if (bytes === 0 || bytes % size !== 0) {
    throw new Error(`${path}: ${bytes} bytes is not a whole number of ${size}-byte records`);
  }
  const count = bytes / size;
  const readAt = (into: Uint8Array, record: number) => {
    if (readSync(fd, into, 0, into.length, record * size) !== into.length) {
      throw new Error(`${path}: records from ${record} could not be read; did the file change?`);
    }
  };
  const hi = (view: DataView, at: number) => wide ? view.getUint32(at) : 0;
  const lo = (view: DataView, at: number) => view.getUint32(wide ? at + 4 : at);
  const kept = new Uint8Array(KEPT * size);
  const keptView = new DataView(kept.buffer);
  const isKept = new Uint8Array(KEPT);
  let rest = count;
  for (let step = 0; step < KEPT_STEPS; step++) rest = Math.ceil((rest - 1) / 2) + 1;
  const block = new Uint8Array(rest * size);
  const blockView = new DataView(block.buffer);
  // geoip-lite's bounds: the first record's start and the last one's end.
  readAt(block.subarray(0, size), 0);
  const [firstHi, firstLo] = [hi(blockView, 0), lo(blockView, 0)];
  readAt(block.subarray(0, size), count - 1);
  const [lastHi, lastLo] = [hi(blockView, endOffset), lo(blockView, endOffset)];
  const names = new Map<number, string | null>();
  const countryAt = (view: DataView, at: number) => {
    const bytes = view.getUint16(at + layout.countryOffset);
    let name = names.get(bytes);
    if (name === undefined) {
      const text = utf8.decode(new Uint8Array([bytes >> 8, bytes & 0xff]));
      names.set(bytes, name = (wide ? text.replace(/\0.*/, "") : text) || null);
    }
    return name;
  };
  let open = true;
  return {
    country(keyHi, keyLo) {
      if (!open) throw new Error(`${path} is closed`);
      if (compareKeys(keyHi, keyLo, lastHi, lastLo) > 0 || compareKeys(keyHi, keyLo, firstHi, firstLo) < 0) return null;
      let low = 0;
      let high = count - 1;
      let node = 0; // the step's place in the tree of kept records
      let blockFirst = 0;
      for (let step = 0;; step++) {
        // geoip-lite probes the midpoint rounded up; with two left, the upper one first.
        const mid = low + ((high - low + 1) >>> 1);
        let view = blockView;
        let at: number;
        if (step < KEPT_STEPS) {
          view = keptView;
          at = node * size;
          if (!isKept[node]) {
            readAt(kept.subarray(at, at + size), mid);
            isKept[node] = 1;
          }
        } else {
          if (step === KEPT_STEPS) readAt(block.subarray(0, (high - low + 1) * size), blockFirst = low);
          at = (mid - blockFirst) * size;
        }
        const before = compareKeys(keyHi, keyLo, hi(view, at), lo(view, at)) < 0;
        const after = compareKeys(keyHi, keyLo, hi(view, at + endOffset), lo(view, at + endOffset)) > 0;
        if (!before && !after) return countryAt(view, at);
        if (low === high) return null;
        const wasHigh = high;
        if (low === high - 1) {
          if (mid === low) low = high;
          else high = low;
        } else if (before) high = mid;
        else low = mid;
        node = 2 * node + (high !== wasHigh ? 1 : 2);
      }
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

function compareKeys(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return aHi !== bHi ? aHi - bHi : aLo - bLo;
}
