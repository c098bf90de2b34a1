/**
 * The value parsers behind every option, one by one: what each accepts, in
 * text (flags, environment) and JSON (file) form, and what it says it expected.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as parse from "../src/config/parsers.ts";

/** Asserts that `fn` throws Expected with a message matching `pattern`. */
function expects(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (error: unknown) => error instanceof parse.Expected && pattern.test(error.message));
}

describe("config value parsers", () => {
  test("when an integer is in range, as text or number, then it is returned; otherwise the range is named", () => {
    assert.equal(parse.integer(" 42 ", 0, 100), 42);
    assert.equal(parse.integer(7, 0, 100), 7);
    for (const bad of ["4.2", "1e3", "", "-1", 101, null, true]) expects(() => parse.integer(bad, 0, 100), /an integer from 0 to 100/);
  });

  test("when a path is given, then a trailing slash is dropped and reserved or odd paths are refused", () => {
    assert.equal(parse.path("/rtc/signal/"), "/rtc/signal");
    for (const bad of ["/", "rtc", "/api", "/api/x", "/healthz", "/assets", "/a b", "/a?b", 5]) expects(() => parse.path(bad), /a URL path/);
  });

  test("when countries are given as a list or text, then they are normalized and deduplicated", () => {
    assert.deepEqual(parse.countries("in, np,IN"), ["IN", "NP"]);
    assert.deepEqual(parse.countries(["gb"]), ["GB"]);
    expects(() => parse.countries("INDIA"), /"INDIA" is not one/);
    expects(() => parse.countries("ZZ"), /"ZZ" is not one/);
    expects(() => parse.countries([1]), /comma-separated string or an array/);
  });

  test("when origins are given, then bare http(s) origins pass, normalized; paths, queries and other schemes do not", () => {
    assert.deepEqual(parse.origins("https://Blog.Example, http://localhost:3000/"), ["https://blog.example", "http://localhost:3000"]);
    for (const bad of ["blog.example", "https://blog.example/page", "https://blog.example?x", "ftp://blog.example", "https://u:p@blog.example", "null"]) {
      expects(() => parse.origins(bad), /origins such as/);
    }
  });

  test("when a trust-proxy rule is given, then booleans, hop counts and address lists compile; bad addresses are refused", () => {
    assert.equal(parse.trustProxy("true"), true);
    assert.equal(parse.trustProxy(2), 2);
    assert.deepEqual(parse.trustProxy("loopback, 10.0.0.0/8"), ["loopback", "10.0.0.0/8"]);
    assert.equal(parse.trustProxy([]), false);
    expects(() => parse.trustProxy("10.0.0.0/99"), /addresses\/CIDRs/);
  });

  test("when ICE servers are given as JSON text or an array, then only STUN/TURN entries with string credentials pass", () => {
    assert.deepEqual(parse.iceServers('[{"urls":"stun:s.example:3478"}]'), [{ urls: "stun:s.example:3478" }]);
    assert.deepEqual(parse.iceServers([{ urls: ["turn:t.example"], username: "u", credential: "c" }]), [
      { urls: ["turn:t.example"], username: "u", credential: "c" },
    ]);
    for (const bad of ["[", '[{"urls":"http://x"}]', [{ urls: [] }], [{ urls: "stun:x", username: 1 }], {}]) {
      expects(() => parse.iceServers(bad), /array/);
    }
  });

  test("when a choice or host is given, then only the listed choices and valid hosts pass", () => {
    assert.equal(parse.oneOf("block", ["allow", "block"]), "block");
    expects(() => parse.oneOf("deny", ["allow", "block"]), /one of allow, block/);
    assert.equal(parse.host("::"), "::");
    assert.equal(parse.host("chat.example.org"), "chat.example.org");
    expects(() => parse.host("-bad-"), /IP address or host name/);
  });
});
