/**
 * geoip-lite 1.4.10's country tables as it stores them, read in batches
 * rather than whole: the record layout, and geoip-lite's own binary
 * search, which we run only at load time where ranges overlap (see
 * country-table-build.ts).
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

/** Records decoded from a table, `length` of them: keys as two words, country as its two bytes. */
export type RecordBatch = {
  length: number;
  readonly startHi: Uint32Array;
  readonly startLo: Uint32Array;
  readonly endHi: Uint32Array;
  readonly endLo: Uint32Array;
  readonly country: Uint16Array;
};

export function recordBatch(capacity: number): RecordBatch {
  const words = () => new Uint32Array(capacity);
  return { length: 0, startHi: words(), startLo: words(), endHi: words(), endLo: words(), country: new Uint16Array(capacity) };
}

export type DatTable = {
  readonly layout: DatLayout;
  readonly count: number;
  /** Decodes records from `from` on, as many as `into` holds or the table has left. */
  read(from: number, into: RecordBatch): void;
  /** Country bytes as geoip-lite reports them; null for none. */
  countryName(bytes: number): string | null;
};

/** Reads into `into` from the file at byte `position`; returns the bytes read. */
export type ReadAt = (into: Uint8Array, position: number) => number;

const utf8 = new TextDecoder();

/**
 * A table read in batches through positioned reads, never whole. Throws when
 * the file is not whole records or a read comes up short (it changed).
 */
export function datTable(layout: DatLayout, fileBytes: number, readAt: ReadAt): DatTable {
  const size = layout.recordSize;
  if (fileBytes === 0 || fileBytes % size !== 0) {
    throw new Error(`${layout.file}: ${fileBytes} bytes is not a whole number of ${size}-byte records`);
  }
  const count = fileBytes / size;
  const low = layout.wide ? 4 : 0;
  let bytes = new Uint8Array(0);
  return {
    layout,
    count,
    read(from, into) {
      const n = Math.max(0, Math.min(into.country.length, count - from));
      if (bytes.length < n * size) bytes = new Uint8Array(n * size);
      if (readAt(bytes.subarray(0, n * size), from * size) !== n * size) {
        throw new Error(`${layout.file}: records ${from}–${from + n} could not be read; did the file change?`);
      }
      const view = new DataView(bytes.buffer);
      for (let i = 0, at = 0; i < n; i++, at += size) {
        into.startHi[i] = layout.wide ? view.getUint32(at) : 0;
        into.startLo[i] = view.getUint32(at + low);
        into.endHi[i] = layout.wide ? view.getUint32(at + layout.endOffset) : 0;
        into.endLo[i] = view.getUint32(at + layout.endOffset + low);
        into.country[i] = view.getUint16(at + layout.countryOffset);
      }
      into.length = n;
    },
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

/** Where a key lies against a record: negative before its start, 0 in it, positive past its end. */
export type Side = (record: number) => number;

/**
 * The record geoip-lite's binary search lands on among `count`, or -1, given
 * where the key lies against each (its bounds check, key below the first
 * start or above the last end, is the caller's). It probes the midpoint
 * rounded up, and with two records left the upper one first. Where ranges
 * overlap, which one answers depends on this path, so it is reproduced
 * rather than improved.
 */
export function geoipSearch(count: number, side: Side): number {
  let low = 0;
  let high = count - 1;
  for (;;) {
    const mid = low + ((high - low + 1) >>> 1);
    const where = side(mid);
    if (where === 0) return mid;
    if (low === high) return -1;
    if (low === high - 1) {
      if (mid === low) low = high;
      else high = low;
    } else if (where < 0) high = mid;
    else low = mid;
  }
}
