/**
 * Builds a compact country table from one of geoip-lite's tables, giving
 * every key the answer geoip-lite gives.
 *
 * Where no ranges overlap, that answer is the range holding the key (none in
 * a gap). IPv6 has 20 overlaps in 1.4.10's data (geoip-lite's importer reads
 * the end of x::/64, "x::ffff:ffff:ffff:ffff", as x:0:ffff:…, so that range
 * covers the /64s after it), and there geoip-lite answers with whichever
 * range its binary search probes first, sometimes neither. Its answer can
 * only change at a range's start or just past its end, so for each such point
 * in an overlap we run its search once, at load, and store what it says.
 */
import type { CountryTable } from "./country-table.ts";
import { compareKeys, type DatTable, geoipRecordFor } from "./dat-table.ts";

const MAX_WORD = 0xffffffff;

export function buildCountryTable(table: DatTable): CountryTable {
  const out = tableWriter(table, 2 * table.count + 1);
  const { hi, lo } = table;
  // A group is a range and every later range starting inside what came before.
  let first = 0;
  let endHi = hi(0, 1);
  let endLo = lo(0, 1);
  const closeGroup = (next: number) => {
    if (next === first + 1) out.add(hi(first, 0), lo(first, 0), first);
    else {
      for (const [keyHi, keyLo] of changePoints(table, first, next, endHi, endLo)) {
        out.add(keyHi, keyLo, geoipRecordFor(table, keyHi, keyLo));
      }
    }
    // Past the group: a gap until the next range says otherwise.
    if (endLo !== MAX_WORD) out.add(endHi, endLo + 1, -1);
    else if (table.layout.wide && endHi !== MAX_WORD) out.add(endHi + 1, 0, -1);
  };
  for (let record = 1; record < table.count; record++) {
    const startHi = hi(record, 0);
    const startLo = lo(record, 0);
    if (compareKeys(startHi, startLo, hi(record - 1, 0), lo(record - 1, 0)) < 0) {
      throw new Error(`${table.layout.file}: record ${record} starts before the one above it; the table must be sorted`);
    }
    if (compareKeys(startHi, startLo, endHi, endLo) > 0) {
      closeGroup(record);
      first = record;
      endHi = hi(record, 1);
      endLo = lo(record, 1);
    } else if (compareKeys(hi(record, 1), lo(record, 1), endHi, endLo) > 0) {
      endHi = hi(record, 1);
      endLo = lo(record, 1);
    }
  }
  closeGroup(table.count);
  return out.done();
}

/** Starts, and ends + 1 inside the group, of records [from, to), ascending, once each. */
function changePoints(table: DatTable, from: number, to: number, endHi: number, endLo: number): [number, number][] {
  const points: [number, number][] = [];
  for (let record = from; record < to; record++) {
    points.push([table.hi(record, 0), table.lo(record, 0)]);
    const [h, l] = [table.hi(record, 1), table.lo(record, 1)];
    if (compareKeys(h, l, endHi, endLo) < 0) points.push(l === MAX_WORD ? [h + 1, 0] : [h, l + 1]);
  }
  points.sort((a, b) => compareKeys(a[0], a[1], b[0], b[1]));
  return points.filter((p, i) => i === 0 || compareKeys(p[0], p[1], points[i - 1][0], points[i - 1][1]) !== 0);
}

/**
 * Takes keys in ascending order, each with the record that answers there (-1:
 * none), and keeps only those where the country changes.
 */
function tableWriter(table: DatTable, capacity: number) {
  const wide = table.layout.wide;
  const his = new Uint32Array(wide ? capacity : 0);
  const los = new Uint32Array(capacity);
  const indexes = new Uint8Array(capacity);
  const codes: (string | null)[] = [null];
  // Country bytes → index in `codes`; -1 until first seen.
  const byBytes = new Int16Array(0x10000).fill(-1);
  const indexOf = (bytes: number) => {
    if (byBytes[bytes] >= 0) return byBytes[bytes];
    const name = table.countryName(bytes);
    let index = codes.indexOf(name);
    if (index < 0) {
      if (codes.length > 255) throw new Error(`${table.layout.file}: more than 255 countries for a one-byte index`);
      index = codes.push(name) - 1;
    }
    return byBytes[bytes] = index;
  };
  let n = 0;
  return {
    add(hi: number, lo: number, record: number) {
      const index = record < 0 ? 0 : indexOf(table.countryBytes(record));
      // A later answer for the same key replaces the earlier one.
      if (n > 0 && los[n - 1] === lo && (!wide || his[n - 1] === hi)) n--;
      if ((n > 0 ? indexes[n - 1] : 0) === index) return;
      if (wide) his[n] = hi;
      los[n] = lo;
      indexes[n] = index;
      n++;
    },
    done(): CountryTable {
      return { hi: his.slice(0, wide ? n : 0), lo: los.slice(0, n), country: indexes.slice(0, n), codes };
    },
  };
}
