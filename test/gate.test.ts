/**
 * Who gets in: the client address with and without trusted proxies, the
 * country policy, and the gate that joins them with real geoip data.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, test } from "node:test";
import { createClientAddress } from "../src/client-ip.ts";
import { Refusal } from "../src/refusal.ts";
import { createGeoGate } from "../src/geo/gate.ts";
import { loadCountryLookup } from "../src/geo/lookup.ts";
import { createCountryPolicy } from "../src/geo/policy.ts";
import { ADDRESS } from "./support/server.ts";

/** What a request from `remoteAddress` carrying `headers` looks like to the server. */
function request(remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

const SPOOF = {
  "x-forwarded-for": "81.2.69.160",
  "x-client-ip": "81.2.69.160",
  "x-real-ip": "81.2.69.160",
  "cf-connecting-ip": "81.2.69.160",
  "true-client-ip": "81.2.69.160",
  "forwarded": "for=81.2.69.160",
};

describe("client address", () => {
  test("when no proxy is trusted, then every client-set header is ignored", () => {
    const address = createClientAddress(false);
    assert.equal(address(request("203.0.113.9", SPOOF)), "203.0.113.9");
  });

  test("when the socket peer is a trusted proxy, then X-Forwarded-For is walked from the right", () => {
    const address = createClientAddress(["loopback"]);
    // The client typed "1.1.1.1" itself; the proxy appended the address it saw.
    assert.equal(address(request("127.0.0.1", { "x-forwarded-for": "1.1.1.1, 81.2.69.160" })), "81.2.69.160");
  });

  test("when the socket peer is not the trusted proxy, then its headers are ignored", () => {
    const address = createClientAddress(["10.0.0.0/8"]);
    assert.equal(address(request("203.0.113.9", { "x-forwarded-for": "81.2.69.160" })), "203.0.113.9");
  });

  test("when a hop count is trusted, then that many proxies are skipped", () => {
    const address = createClientAddress(2);
    const req = request("10.0.0.2", { "x-forwarded-for": "9.9.9.9, 81.2.69.160, 10.0.0.1" });
    assert.equal(address(req), "81.2.69.160");
  });

  test("when a chain of trusted proxies forwards, then the first untrusted hop is the client", () => {
    const address = createClientAddress(["loopback", "10.0.0.0/8"]);
    const req = request("::1", { "x-forwarded-for": "8.8.8.8, 81.2.69.160, 10.1.2.3" });
    assert.equal(address(req), "81.2.69.160");
  });

  test("when the address is IPv4-mapped IPv6, then the IPv4 form is returned", () => {
    assert.equal(createClientAddress(false)(request("::ffff:81.2.69.160")), "81.2.69.160");
  });

  test("when the rule names an invalid address, then compiling it throws", () => {
    assert.throws(() => createClientAddress(["not-an-ip"]), /invalid IP address/);
  });
});

describe("country policy", () => {
  test("when there is an allow list, then only those countries pass", () => {
    const policy = createCountryPolicy({ country: ["IN"], blockCountry: [], unknownCountry: "allow" });
    assert.deepEqual(policy.decide("IN"), { allowed: true });
    assert.deepEqual(policy.decide("US"), { allowed: false, reason: "not_allowed" });
    assert.equal(policy.admitsEveryone, false);
  });

  test("when there is a block list, then those countries are refused and others pass", () => {
    const policy = createCountryPolicy({ country: [], blockCountry: ["KP"], unknownCountry: "allow" });
    assert.deepEqual(policy.decide("KP"), { allowed: false, reason: "blocked" });
    assert.deepEqual(policy.decide("GB"), { allowed: true });
  });

  test("when the country is unknown, then the unknown-country policy decides", () => {
    const allow = createCountryPolicy({ country: ["IN"], blockCountry: [], unknownCountry: "allow" });
    const block = createCountryPolicy({ country: [], blockCountry: [], unknownCountry: "block" });
    assert.deepEqual(allow.decide(null), { allowed: true });
    assert.deepEqual(block.decide(null), { allowed: false, reason: "unknown" });
    assert.equal(block.admitsEveryone, false);
  });

  test("when nothing is restricted, then the policy admits everyone without lookups", () => {
    const policy = createCountryPolicy({ country: [], blockCountry: [], unknownCountry: "allow" });
    assert.equal(policy.admitsEveryone, true);
  });
});

describe("geo gate with geoip-lite's country data", async () => {
  const lookupCountry = await loadCountryLookup();

  test("when the address is in an allowed country, then the request passes", () => {
    const gate = createGeoGate({
      clientAddress: createClientAddress(false),
      lookupCountry,
      policy: createCountryPolicy({ country: ["GB"], blockCountry: [], unknownCountry: "block" }),
    });
    assert.doesNotThrow(() => gate(request(ADDRESS.GB)));
  });

  test("when the address is elsewhere, then a country_blocked refusal names the country", () => {
    const gate = createGeoGate({
      clientAddress: createClientAddress(false),
      lookupCountry,
      policy: createCountryPolicy({ country: ["IN"], blockCountry: [], unknownCountry: "allow" }),
    });
    assert.throws(() => gate(request(ADDRESS.US)), (error: unknown) => {
      assert.ok(error instanceof Refusal);
      assert.equal(error.status, 403);
      assert.deepEqual(JSON.parse(error.body()), {
        error: "country_blocked",
        message: "Chatroulette is not available in your country (United States).",
        country: "US",
        reason: "not_allowed",
      });
      return true;
    });
    assert.doesNotThrow(() => gate(request("127.0.0.1")), "loopback has no country; unknown is allowed");
  });

  test("when a spoofed header claims an allowed country from an untrusted peer, then it is refused", () => {
    const gate = createGeoGate({
      clientAddress: createClientAddress(false),
      lookupCountry,
      policy: createCountryPolicy({ country: ["GB"], blockCountry: [], unknownCountry: "block" }),
    });
    assert.throws(() => gate(request(ADDRESS.US, SPOOF)), Refusal);
  });
});
