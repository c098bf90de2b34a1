/**
 * geoip-lite 1.4.10's country tables as it stores them, read in place: the
 * record layout, and geoip-lite's own binary search, which we run only at load
 * time to settle the few ranges that overlap (see country-table-build.ts).
 *
 * Each file is fixed-size records sorted by start (learned from geoip-lite's
 * lib/geoip.js): IPv4 is start u32 BE, end u32 BE, 2 country bytes (10 bytes);
 * IPv6 is a 16-byte start, a 16-byte end, 2 country bytes (34 bytes), and
 * geoip-lite compares only the first 8 bytes of each IPv6 address, so a key
 * here is two 32-bit words, high then low (IPv4: high is 0). The country is its
 * two bytes as UTF-8, cut at a NUL for IPv6; an empty one means no country.
 */

export type DatLayout = {
  readonly file: string;
  readonly recordSize: number;
  readonly endOffset: number;
  readonly countryOffset: number;
  /** IPv6 keys have a high word; IPv4 keys are the low word alone. */
  readonly wide: boolean;
};

export const IPV4_LAYOUT: DatLayout = { file: "geoip-country.dat", recordSize: 10, endOffset: 4, countryOffset: 8, wide: false };
export const IPV6_LAYOUT: DatLayout = { file: "geoip-country6.dat", recordSize: 34, endOffset: 16, countryOffset: 32, wide: true };

/** Which address of a record: its start or its end (inclusive). */
export type Edge = 0 | 1;

export type DatTable = {
  readonly layout: DatLayout;
  readonly count: number;
  hi(record: number, edge: Edge): number;
  lo(record: number, edge: Edge): number;
  /** The record's two country bytes as one number. */
  countryBytes(record: number): number;
  /** Those bytes as geoip-lite reports them; null for none. */
  countryName(bytes: number): string | null;
};

const utf8 = new TextDecoder();

/** A view over one file's bytes; throws when they are not whole records. */
export function datTable(layout: DatLayout, bytes: Uint8Array): DatTable {
  const size = layout.recordSize;
  if (bytes.length === 0 || bytes.length % size !== 0) {
    throw new Error(`${layout.file}: ${bytes.length} bytes is not a whole number of ${size}-byte records`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (record: number, edge: Edge) => record * size + edge * layout.endOffset;
  return {
    layout,
    count: bytes.length / size,
    hi: layout.wide ? (record, edge) => view.getUint32(at(record, edge)) : () => 0,
    lo: layout.wide ? (record, edge) => view.getUint32(at(record, edge) + 4) : (record, edge) => view.getUint32(at(record, edge)),
    countryBytes: (record) => view.getUint16(record * size + layout.countryOffset),
    countryName(pair) {
      const text = utf8.decode(new Uint8Array([pair >> 8, pair & 0xff]));
      return (layout.wide ? text.replace(/\0.*/, "") : text) || null;
    },
  };
}

/** Orders two keys: negative, zero or positive. */
export function compareKeys(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return aHi !== bHi ? aHi - bHi : aLo - bLo;
}

/**
 * The record geoip-lite's lookup lands on for a key, or -1: its bounds check,
 * then its binary search probe for probe (midpoint rounded up; two records
 * left means the upper one first). Where ranges overlap, which one answers
 * depends on this path, so it is reproduced rather than improved.
 */
export function geoipRecordFor(table: DatTable, hi: number, lo: number): number {
  const last = table.count - 1;
  if (compareKeys(hi, lo, table.hi(last, 1), table.lo(last, 1)) > 0) return -1;
  if (compareKeys(hi, lo, table.hi(0, 0), table.lo(0, 0)) < 0) return -1;
  let low = 0;
  let high = last;
  for (;;) {
    const mid = low + ((high - low + 1) >>> 1);
    const afterStart = compareKeys(hi, lo, table.hi(mid, 0), table.lo(mid, 0)) >= 0;
    const beforeEnd = compareKeys(hi, lo, table.hi(mid, 1), table.lo(mid, 1)) <= 0;
    if (afterStart && beforeEnd) return mid;
    if (low === high) return -1;
    if (low === high - 1) {
      if (mid === low) low = high;
      else high = low;
    } else if (!afterStart) high = mid;
    else low = mid;
  }
}
