/**
 * Builds a compact country table from one of geoip-lite's tables, giving
 * every key the answer geoip-lite gives.
 *
 * Where no ranges overlap, that answer is the range holding the key (none in
 * a gap). IPv6 has overlaps in 1.4.10's data (geoip-lite's importer reads the
 * end of x::/64, "x::ffff:ffff:ffff:ffff", as x:0:ffff:…, so that range
 * covers the /64s after it; and a few /32s hold smaller ranges), and there
 * geoip-lite answers with whichever range its binary search probes first,
 * sometimes neither. Its answer can only change at a range's start or just
 * past its end, so at each such point in an overlap we run its search once,
 * at load, and store what it says.
 *
 * The table is read twice, in batches, to count the entries and then to fill
 * arrays of exactly that size: building in arrays sized for the worst case
 * and copying out (10 MB for a moment) left 17 MB more RSS after load than
 * the tables need, as glibc kept the freed memory.
 */
import type { CountryTable } from "./country-table.ts";
import { compareKeys, type DatTable, geoipSearch, type RecordBatch, recordBatch } from "./dat-table.ts";

const MAX_WORD = 0xffffffff;
const BATCH = 1024;

export function buildCountryTable(table: DatTable): CountryTable {
  const counted = tableWriter(table, 0);
  walk(table, counted);
  const filled = tableWriter(table, counted.size());
  walk(table, filled);
  return filled.done();
}

type Writer = ReturnType<typeof tableWriter>;

/** A range and every later one starting inside what came before. */
type Group = { first: number; country: number; startHi: number; startLo: number; endHi: number; endLo: number };

/** Writes each key where the answer may change, ascending; allocates nothing per range. */
function walk(table: DatTable, out: Writer) {
  const batch = recordBatch(BATCH);
  const group: Group = { first: 0, country: 0, startHi: 0, startLo: 0, endHi: 0, endLo: 0 };
  let previousHi = 0;
  let previousLo = 0;
  for (let from = 0; from < table.count; from += BATCH) {
    table.read(from, batch);
    for (let i = 0; i < batch.length; i++) {
      const record = from + i;
      const hi = batch.startHi[i];
      const lo = batch.startLo[i];
      if (compareKeys(hi, lo, previousHi, previousLo) < 0) {
        throw new Error(`${table.layout.file}: record ${record} starts before the one above it; the table must be sorted`);
      }
      previousHi = hi;
      previousLo = lo;
      if (record > 0 && compareKeys(hi, lo, group.endHi, group.endLo) <= 0) {
        if (compareKeys(batch.endHi[i], batch.endLo[i], group.endHi, group.endLo) > 0) {
          group.endHi = batch.endHi[i];
          group.endLo = batch.endLo[i];
        }
        continue;
      }
      if (record > 0) closeGroup(table, group, record, hi, lo, out);
      group.first = record;
      group.country = batch.country[i];
      group.startHi = hi;
      group.startLo = lo;
      group.endHi = batch.endHi[i];
      group.endLo = batch.endLo[i];
    }
  }
  closeGroup(table, group, table.count, 0, 0, out);
}

/** Writes the group's answers, then a gap unless the space ends or the next range starts right after. */
function closeGroup(table: DatTable, group: Readonly<Group>, next: number, nextHi: number, nextLo: number, out: Writer) {
  if (next === group.first + 1) out.add(group.startHi, group.startLo, group.country);
  else overlapAnswers(table, group.first, next, out);
  const { endHi, endLo } = group;
  if (endLo === MAX_WORD && (!table.layout.wide || endHi === MAX_WORD)) return;
  const [gapHi, gapLo] = endLo === MAX_WORD ? [endHi + 1, 0] : [endHi, endLo + 1];
  if (next === table.count || gapHi !== nextHi || gapLo !== nextLo) out.add(gapHi, gapLo, -1);
}

/**
 * Writes geoip-lite's answer at each start, and each end + 1 inside the
 * group, of the overlapping records [first, next). Its search finds every
 * record before the group below the key and every one after above it, so only
 * the group's own records are read.
 */
function overlapAnswers(table: DatTable, first: number, next: number, out: Writer) {
  const group = recordBatch(next - first);
  table.read(first, group);
  const start = (i: number) => [group.startHi[i], group.startLo[i]] as const;
  const end = (i: number) => [group.endHi[i], group.endLo[i]] as const;
  const last = group.length - 1;
  let groupEnd = end(0);
  for (let i = 1; i <= last; i++) if (compareKeys(...end(i), ...groupEnd) > 0) groupEnd = end(i);
  const points: (readonly [number, number])[] = [];
  for (let i = 0; i <= last; i++) {
    points.push(start(i));
    const [h, l] = end(i);
    if (compareKeys(h, l, ...groupEnd) < 0) points.push(l === MAX_WORD ? [h + 1, 0] : [h, l + 1]);
  }
  points.sort((a, b) => compareKeys(...a, ...b));
  points.forEach((key, i) => {
    if (i > 0 && compareKeys(...key, ...points[i - 1]) === 0) return;
    // geoip-lite's bounds check: nothing past the last record's end.
    if (next === table.count && compareKeys(...key, ...end(last)) > 0) return out.add(...key, -1);
    const found = geoipSearch(table.count, (record) => {
      if (record < first) return 1;
      if (record >= next) return -1;
      const i = record - first;
      return compareKeys(...key, ...start(i)) < 0 ? -1 : compareKeys(...key, ...end(i)) > 0 ? 1 : 0;
    });
    out.add(...key, found < 0 ? -1 : group.country[found - first]);
  });
}

/**
 * Keeps the keys where the country changes: counts them all, and writes the
 * first `capacity` into arrays of that size.
 */
function tableWriter(table: DatTable, capacity: number) {
  const wide = table.layout.wide;
  const his = new Uint32Array(wide ? capacity : 0);
  const los = new Uint32Array(capacity);
  const indexes = new Uint8Array(capacity);
  const codes: (string | null)[] = [null];
  const byBytes = new Map<number, number>([[-1, 0]]);
  const indexOf = (bytes: number) => {
    let index = byBytes.get(bytes);
    if (index === undefined) {
      const name = table.countryName(bytes);
      index = codes.indexOf(name);
      if (index < 0) {
        if (codes.length > 255) throw new Error(`${table.layout.file}: more than 255 countries for a one-byte index`);
        index = codes.push(name) - 1;
      }
      byBytes.set(bytes, index);
    }
    return index;
  };
  let n = 0;
  let lastBytes = -1;
  let lastIndex = 0;
  return {
    /** `countryBytes` -1: no country. */
    add(hi: number, lo: number, countryBytes: number) {
      if (countryBytes === lastBytes) return;
      const index = indexOf(countryBytes);
      lastBytes = countryBytes;
      if (index === lastIndex) return;
      lastIndex = index;
      if (n < capacity) {
        if (wide) his[n] = hi;
        los[n] = lo;
        indexes[n] = index;
      }
      n++;
    },
    size: () => n,
    done(): CountryTable {
      if (n !== capacity) throw new Error(`${table.layout.file} changed while it was read`);
      return { hi: his, lo: los, country: indexes, codes };
    },
  };
}
