/**
 * The memory safety store against the conformance suite every store runs,
 * and the address keys everything in it is keyed by.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createAddressKeys, prefix } from "../src/safety/address-key.ts";
import { createMemorySafetyStore } from "../src/safety/store.ts";
import { describeSafetyStore } from "./support/safety-store-conformance.ts";

describeSafetyStore("memory store", createMemorySafetyStore);

describe("address keys", () => {
  test("when addresses are one visitor (an IPv4 address, an IPv6 /64), then they share a key; others do not", () => {
    const keyOf = createAddressKeys();
    assert.equal(keyOf("2001:db8:1:2::7"), keyOf("2001:db8:1:2:ffff:0:0:1"));
    assert.notEqual(keyOf("2001:db8:1:2::7"), keyOf("2001:db8:1:3::7"));
    assert.equal(keyOf("::ffff:203.0.113.7"), keyOf("203.0.113.7"));
    assert.notEqual(keyOf("203.0.113.7"), keyOf("203.0.113.8"));
    assert.match(keyOf("203.0.113.7"), /^[0-9a-f]{32}$/);
    assert.equal(prefix("2001:DB8:0001:0002:0:0:0:7"), "2001:db8:1:2::/64");
  });

  test("when keyed under another secret (another server process), then the same address gets another key", () => {
    assert.notEqual(createAddressKeys()("203.0.113.7"), createAddressKeys()("203.0.113.7"));
  });

  test("when the address is not one (an empty socket address), then it still gets a key of its own", () => {
    const keyOf = createAddressKeys();
    assert.notEqual(keyOf(""), keyOf("203.0.113.7"));
    assert.equal(prefix("1.2.3"), "?1.2.3");
  });
});
