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

  test("when STUN and TURN URLs are given, then only their RFC 7064/7065 forms pass, and none means none", () => {
    assert.deepEqual(parse.stunUrls("stun:s.example:3478, stuns:[2001:db8::1]"), ["stun:s.example:3478", "stuns:[2001:db8::1]"]);
    assert.deepEqual(parse.stunUrls("none"), []);
    assert.deepEqual(parse.turnUrls(["turn:t.example?transport=tcp", "turns:t.example:5349"]), ["turn:t.example?transport=tcp", "turns:t.example:5349"]);
    for (const bad of ["turn:t.example", "stun:", "stun:a b", "http://s.example"]) expects(() => parse.stunUrls(bad), /stun: URLs/);
    for (const bad of ["stun:t.example", "turn:t.example?transport=sctp", "turn:t.example/x", "turn:"]) expects(() => parse.turnUrls(bad), /turn: or turns: URLs/);
  });

  test("when a secret, a duration, a switch or an optional port is given, then each takes its forms", () => {
    assert.equal(parse.secret("x".repeat(32)), "x".repeat(32));
    assert.equal(parse.secret(""), "", "none");
    for (const bad of ["x".repeat(31), `${"x".repeat(32)} `, `${"x".repeat(32)}\n`, 42]) expects(() => parse.secret(bad), /at least 32 characters without spaces/);
    assert.deepEqual(["90", "90m", "1h", "1d", 3600].map((d) => parse.duration(d, 60, 7 * 86400)), [90, 5400, 3600, 86400, 3600]);
    for (const bad of ["59", "8d", "1.5h", "h", -60, "1 hour"]) expects(() => parse.duration(bad, 60, 7 * 86400), /a duration from 60 s to 168 h/);
    assert.deepEqual([true, "true", "1", "yes", false, "false", "0", "no"].map(parse.boolean), [true, true, true, true, false, false, false, false]);
    expects(() => parse.boolean("on?"), /true or false/);
    assert.deepEqual([null, "off", "0", 9464].map(parse.optionalPort), [null, null, 0, 9464]);
    expects(() => parse.optionalPort("70000"), /"off", or an integer from 0 to 65535/);
  });
});
