/**
 * Address strings to the keys of geoip-lite's tables, read exactly as
 * geoip-lite 1.4.10 reads them, because its tables were written that way:
 * its importer (scripts/updatedb.js) keys each IPv6 range by its own parser
 * run over the range's compressed text, quirks included. That parser lines
 * the groups after "::" up at the end but leaves them in place too, so
 * "2001:db8::1" is keyed 2001:db8:0:1, and the end of 2407:1600::/64 was
 * stored as 2407:1600:0:ffff. Reading addresses the same way keeps answers
 * equal to geoip-lite's: in the test's sample, 13 of 1,712 IPv6 addresses on
 * range edges get another country when written compressed, there and here.
 *
 * Valid means what Node's net.isIP accepts. IPv4 is checked and converted in
 * one pass (no leading zeros, 0–255); IPv6 is checked by node:net itself.
 */
import { isIPv6 } from "node:net";

/** The number of a dotted-quad IPv4 address, or -1 when it is not one. */
export function ipv4Number(ip: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i) - 48;
    if (c >= 0 && c <= 9) {
      if (digits > 0 && part === 0) return -1; // "01"
      part = part * 10 + c;
      digits++;
      if (part > 255) return -1;
    } else if (c === -2 && digits > 0 && dots < 3) { // "."
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

export type Ipv6Key =
  | { readonly kind: "ipv4"; readonly key: number }
  | { readonly kind: "ipv6"; readonly hi: number; readonly lo: number };

const MAPPED = /^(?:0:0:0:0:0:|::)ffff:/i;

/**
 * The key of a valid IPv6 address, or null when it is not one. A text that
 * starts "::ffff:" (or "0:0:0:0:0:ffff:") is looked up as IPv4, and its tail
 * is read as geoip-lite reads it: each dot-separated part up to its first
 * non-digit, a missing part as 0. A dotted tail gives its address; the other
 * forms give geoip-lite's answer, e.g. "::ffff:102:304" is looked up as
 * 102.0.0.0, not 1.2.3.4 (see the test). The key may exceed 2³²-1.
 */
export function ipv6Key(ip: string): Ipv6Key | null {
  if (!isIPv6(ip)) return null;
  const mapped = MAPPED.exec(ip);
  if (mapped) {
    const parts = ip.slice(mapped[0].length).split(".");
    const byte = (i: number, shift: number) => (parseInt(parts[i], 10) << shift) >>> 0;
    return { kind: "ipv4", key: byte(0, 24) + byte(1, 16) + byte(2, 8) + byte(3, 0) };
  }
  return { kind: "ipv6", ...high64(ip) };
}

/**
 * The first 64 bits as geoip-lite's parser sees them. Split at ":"; when
 * there are fewer than 8 parts, the parts after the last empty one are copied
 * to the end, where a trailing "" counts as "0" so the copy does not stop at
 * it; the originals stay where they were. Each group is then parsed as hex up
 * to its first non-hex character ("" and missing: 0); a word is NaN-free.
 */
function high64(ip: string): { hi: number; lo: number } {
  const parts: (string | undefined)[] = ip.split(":");
  const last = parts.length - 1;
  if (parts[last] === "") parts[last] = "0";
  if (last < 7) {
    for (let i = last; i >= 0 && parts[i] !== ""; i--) parts[7 - last + i] = parts[i];
  }
  const group = (i: number) => {
    const text = parts[i];
    return text ? parseInt(text, 16) : 0;
  };
  const word = (i: number) => ((group(i) << 16) + group(i + 1)) >>> 0;
  return { hi: word(0), lo: word(2) };
}
