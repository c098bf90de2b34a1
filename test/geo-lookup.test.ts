/**
 * Our country lookup against geoip-lite's own, address for address: ~12,000
 * addresses (seeded random IPv4 and IPv6, the edges of its ranges, IPv6 both
 * in full and compressed, IPv4-mapped forms, private and loopback space,
 * malformed text) must get its answer.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { IPV6_TABLE, openGeoipTable } from "../src/geo/geoip-table.ts";
import { loadCountryLookup } from "../src/geo/lookup.ts";
import {
  ipv4Text,
  ipv6Canonical,
  ipv6Full,
  randomIPv4,
  randomIPv6,
  rangeEdges,
  seeded,
} from "../dev/geo-addresses.ts";
import { loadGeoipLite } from "../dev/geoip-reference.ts";

const random = seeded(20261201);
const [ours, geoip] = await Promise.all([loadCountryLookup(), loadGeoipLite()]);
const edges = rangeEdges(random);

/** Every address where the two disagree, described. */
function disagreements(addresses: readonly string[]): string[] {
  return addresses.flatMap((ip) => {
    const [a, b] = [ours(ip), geoip(ip)];
    return a === b ? [] : [`${JSON.stringify(ip)}: ours ${a}, geoip-lite ${b}`];
  });
}

function assertAgree(addresses: readonly string[]) {
  const found = disagreements(addresses);
  assert.deepEqual(found.slice(0, 10), [], `${found.length} of ${addresses.length} disagree`);
}

describe("country lookup", () => {
  test("when an IPv4 address is random or on a range edge, then the country is geoip-lite's", () => {
    const random4 = Array.from({ length: 2000 }, () => randomIPv4(random));
    assert.ok(edges.ipv4.length > 3000, `${edges.ipv4.length} IPv4 edges`);
    assertAgree([...random4, ...edges.ipv4]);
    assert.equal(ours("81.2.69.160"), "GB");
  });

  test("when an IPv6 address is random or on a range edge, in full or compressed, then the country is geoip-lite's", () => {
    const words = [...Array.from({ length: 1000 }, () => randomIPv6(random)), ...edges.ipv6];
    assert.ok(edges.ipv6.length > 1500, `${edges.ipv6.length} IPv6 edges`);
    assertAgree(words.flatMap((w) => [ipv6Full(w), ipv6Canonical(w)]));
  });

  test("when an IPv4 address comes IPv4-mapped, then the country is the IPv4 address's", () => {
    const sample = [...Array.from({ length: 200 }, () => randomIPv4(random)), ...edges.ipv4.slice(0, 200)];
    const known = sample.filter((ip) => ours(ip) !== null);
    assert.ok(known.length > 100, `${known.length} with a country`);
    for (const ip of known) assert.equal(ours(`::ffff:${ip}`), ours(ip), ip);
    assertAgree(sample.flatMap((ip) => [`::ffff:${ip}`, `::FFFF:${ip}`, `0:0:0:0:0:ffff:${ip}`]));
  });

  test("when an address is written in a form geoip-lite misreads, then we misread it the same way", () => {
    // Its table was keyed with the same misreading, so this is what matches it.
    assertAgree([
      "::ffff:102:304", // looked up as 102.0.0.0
      "::ffff:0:1.2.3.4",
      "::ffff:1.2.3.4%eth0",
      "2407:1600::1", // keyed 2407:1600:0:1
      "2407:1600::1:0:0",
      "2a03:2880::",
      "2a03:2880::ffff",
      "fe80::1%eth0",
      "::1%a:b:c:d:e:f",
      "::%a:-1:-1:-1:-1:-1",
      "1:2:3:4:5:6:1.2.3.4",
      "2001:4860:4860::8888",
    ]);
  });

  test("when an address is private, loopback or not in use, then there is no country", () => {
    const none = [
      "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "0.0.0.0",
      "169.254.1.1", "224.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fc00::1", "ff02::1",
      "::ffff:10.1.2.3", "::ffff:127.0.0.1", "::ffff:192.168.0.1",
    ];
    for (const ip of none) assert.equal(ours(ip), null, ip);
    assertAgree(none);
    assert.notEqual(ours("172.15.255.255"), null, "just below 172.16.0.0/12");
  });

  test("when the input is not an address, then the answer is null, not a throw", () => {
    const garbage = [
      "", " ", "abc", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3.-1", "1..2.3",
      " 81.2.69.160", "81.2.69.160 ", "81.2.69.160\n", "81.2.69.160:443", "[::1]", ":::", "1::2::3", "2001:db8:::1",
      "12345::", "g::1", "::ffff:1.2.3.256", "::ffff:", "1:2:3:4:5:6:7:8:9", "0x51024599", "1360084384",
      "٨١.٢.٦٩.١٦٠", "81.2.69.160".repeat(1000),
    ];
    for (const ip of garbage) assert.equal(ours(ip), null, JSON.stringify(ip));
    assertAgree(garbage);
    for (const notText of [undefined, null, 1360084384, {}]) {
      assert.equal(ours(notText as unknown as string), null, String(notText));
    }
  });

  test("when ranges meet at the ends of the IPv4 space, then edges stay exact", () => {
    assertAgree(["0.0.0.0", "0.255.255.255", "1.0.0.0", "223.255.255.255", "224.0.0.0", ipv4Text(2 ** 32 - 1)]);
  });

  test("when a table file is not whole records, then opening it throws and names the file", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "chatroulette-geo-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, IPV6_TABLE.file);
    await writeFile(path, new Uint8Array(IPV6_TABLE.recordSize * 3 + 1));
    assert.throws(() => openGeoipTable(path, IPV6_TABLE), { message: `${path}: 103 bytes is not a whole number of 34-byte records` });
  });
});
