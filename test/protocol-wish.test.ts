/**
 * FIND's payload (interests, language, text only, preferences), MATCH's
 * common interests, ONLINE, and the RESTART relay, through the protocol's
 * decoders: bad input gets its own code, nothing throws.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  admits,
  decodeClientFrame,
  decodeServerFrame,
  decodeWish,
  normalizeInterest,
  primaryLanguage,
  type ServerFrame,
} from "../src/protocol/index.ts";

const find = (payload: unknown) => decodeClientFrame(JSON.stringify({ type: "FIND", payload }));
const code = (payload: unknown) => {
  const decoded = find(payload);
  return decoded.ok ? "ok" : decoded.code;
};

describe("FIND's wish", () => {
  test("when a FIND carries interests, then they are trimmed, lower-cased, folded and made distinct", () => {
    const decoded = decodeWish({ interests: ["  Board   GAMES ", "ｃｈｅｓｓ", "Chess", "音乐"], language: "zh", textOnly: true });
    assert.deepEqual(decoded, {
      ok: true,
      wish: { pool: "public", interests: ["board games", "chess", "音乐"], language: "zh", textOnly: true, preferences: null },
    });
    assert.equal(normalizeInterest("\tJazz\n"), "jazz");
  });

  test("when a bare FIND or one with a non-object payload arrives, then it asks for the defaults", () => {
    const wish = { pool: "public", interests: [], language: null, textOnly: false, preferences: null };
    assert.deepEqual(decodeClientFrame('{"type":"FIND"}'), { ok: true, frame: { type: "FIND", payload: wish } });
    assert.deepEqual(find("x"), { ok: true, frame: { type: "FIND", payload: wish } });
  });

  test("when there are too many interests, or one is empty, oversized or not a string, then the FIND is refused with invalid_interests", () => {
    assert.equal(code({ interests: ["a", "b", "c", "d", "e"] }), "ok");
    assert.equal(code({ interests: ["x".repeat(32)] }), "ok", "32 characters");
    assert.equal(code({ interests: ["😀".repeat(32)] }), "ok", "32 characters, 64 UTF-16 units");
    for (
      const interests of [["a", "b", "c", "d", "e", "f"], ["x".repeat(33)], ["   "], [7], "music", ["a\u0000b"], ["y".repeat(70_000)]]
    ) {
      const decoded = find({ interests });
      assert.equal(decoded.ok ? "ok" : decoded.code, "invalid_interests", JSON.stringify(interests).slice(0, 60));
      assert.ok(!decoded.ok && decoded.msg.length < 80, "one short line says why");
    }
  });

  test("when a language is not a known primary code, then the FIND is refused with invalid_language", () => {
    assert.equal(code({ language: "zh" }), "ok");
    assert.equal(code({ language: "fil" }), "ok");
    assert.equal(code({ language: null }), "ok");
    for (const language of ["zh-CN", "ZH", "xx", "", 5, ["en"]]) assert.equal(code({ language }), "invalid_language", String(language));
    assert.equal(primaryLanguage("zh-Hans-CN"), "zh");
    assert.equal(primaryLanguage("EN_us"), "en");
    assert.equal(primaryLanguage("i-klingon"), null);
  });

  test("when preferences or textOnly are malformed, then each gets its code", () => {
    assert.equal(code({ preferences: { gender: "woman", lookingFor: "men" } }), "ok");
    for (const preferences of [{ gender: "robot", lookingFor: "men" }, { gender: "man" }, "man", null]) {
      assert.equal(code({ preferences }), "invalid_preferences", JSON.stringify(preferences));
    }
    assert.equal(code({ textOnly: "yes" }), "invalid_payload");
    assert.equal(code({ pool: "a b" }), "invalid_pool");
  });

  test("when declarations are compared, then 'Show me' admits only what it names", () => {
    assert.ok(admits("anyone", "unsaid") && admits("women", "woman") && admits("men", "man") && admits("other", "other"));
    assert.ok(!admits("women", "man") && !admits("women", "unsaid") && !admits("men", "other"));
  });
});

describe("new server frames and the RESTART relay", () => {
  test("when MATCH carries common interests and ONLINE a count, then they decode; drift decodes to null", () => {
    const frames: ServerFrame[] = [
      { type: "MATCH", payload: { peer: "a-1", role: "caller", pool: "public", interests: ["music", "chess"] } },
      { type: "ONLINE", payload: { count: 1234 } },
      { type: "RESTART", src: "a-1", dst: "b-2", payload: { sdp: { type: "answer", sdp: "v=0" }, type: "media", connectionId: "mc_1" } },
    ];
    for (const frame of frames) assert.deepEqual(decodeServerFrame(JSON.parse(JSON.stringify(frame))), frame);
    for (
      const drifted of [
        { type: "MATCH", payload: { peer: "a-1", role: "caller", pool: "public", interests: "music" } },
        { type: "ONLINE", payload: { count: -1 } },
        { type: "ONLINE", payload: { count: "12" } },
      ]
    ) assert.equal(decodeServerFrame(drifted), null, JSON.stringify(drifted));
  });

  test("when a RESTART is relayed, then it carries an offer or an answer and nothing else", () => {
    const restart = (payload: unknown) => decodeClientFrame(JSON.stringify({ type: "RESTART", dst: "b-2", payload }));
    const offer = { sdp: { type: "offer", sdp: "v=0" }, type: "data", connectionId: "dc_1" };
    assert.deepEqual(restart({ ...offer, label: "x", metadata: { big: 1 } }), { ok: true, frame: { type: "RESTART", dst: "b-2", payload: offer } });
    for (const bad of [{ ...offer, sdp: { type: "pranswer", sdp: "v=0" } }, { ...offer, connectionId: "a b" }, { ...offer, sdp: "v=0" }]) {
      const decoded = restart(bad);
      assert.equal(decoded.ok ? "ok" : decoded.code, "invalid_payload", JSON.stringify(bad));
    }
  });
});
