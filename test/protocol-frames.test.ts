/**
 * The protocol's two decoders: what the server reads from clients, and what
 * clients read from the server. Neither throws, whatever arrives.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeClientFrame, decodeServerFrame, defaultWish, encodeFrame, type ServerFrame, socketUrl } from "../src/protocol/index.ts";
import { PAYLOAD } from "./support/client.ts";

const code = (text: string) => {
  const decoded = decodeClientFrame(text);
  return decoded.ok ? "ok" : decoded.code;
};

describe("client frames, as the server reads them", () => {
  test("when a FIND names no pool, then it joins the default pool; a bad pool name is refused", () => {
    assert.deepEqual(decodeClientFrame('{"type":"FIND"}'), { ok: true, frame: { type: "FIND", payload: defaultWish() } });
    assert.deepEqual(decodeClientFrame('{"type":"FIND","payload":{"pool":"bots-7f3a"}}'), {
      ok: true,
      frame: { type: "FIND", payload: defaultWish("bots-7f3a") },
    });
    for (const pool of ['"a b"', '""', '"' + "x".repeat(65) + '"', "7", "null"]) {
      assert.equal(code(`{"type":"FIND","payload":{"pool":${pool}}}`), "invalid_pool", pool);
    }
  });

  test("when frames are not JSON objects with a known type, then each gets its own code", () => {
    assert.equal(code("{nope"), "invalid_json");
    assert.equal(code("[1]"), "invalid_message");
    assert.equal(code("null"), "invalid_message");
    assert.equal(code('{"type":"OPEN"}'), "unknown_type", "server-only types");
    assert.equal(code('{"type":"EXPIRE","dst":"a"}'), "unknown_type");
    assert.equal(code('{"type":"OFFER","payload":{}}'), "invalid_message", "no dst");
    assert.equal(code(`{"type":"OFFER","dst":"a","payload":${JSON.stringify(PAYLOAD.ANSWER)}}`), "invalid_payload");
  });

  test("when a relay frame is well formed, then it decodes to exactly its known fields", () => {
    const decoded = decodeClientFrame(JSON.stringify({ type: "CANDIDATE", dst: "b-1", src: "forged", payload: { ...PAYLOAD.CANDIDATE, x: 1 } }));
    assert.deepEqual(decoded, { ok: true, frame: { type: "CANDIDATE", dst: "b-1", payload: PAYLOAD.CANDIDATE } });
    assert.deepEqual(decodeClientFrame('{"type":"LEAVE","dst":"b-1","payload":{"any":[[]]}}'), {
      ok: true,
      frame: { type: "LEAVE", dst: "b-1" },
    });
  });
});

describe("server frames, as clients read them", () => {
  test("when the server's frames arrive, then each decodes to itself", () => {
    const frames: ServerFrame[] = [
      { type: "OPEN" },
      { type: "WAITING", payload: { pool: "public" } },
      { type: "MATCH", payload: { peer: "a-1", role: "caller", pool: "public" } },
      { type: "PARTNER-LEFT", payload: { peer: "a-1", reason: "next" } },
      { type: "REJECTED", payload: { code: "not_partner", msg: "…" } },
      { type: "ID-TAKEN", payload: { msg: "ID is taken" } },
      { type: "OFFER", src: "a-1", dst: "b-2", payload: PAYLOAD.OFFER },
      { type: "LEAVE", src: "a-1", dst: "b-2" },
    ];
    for (const frame of frames) assert.deepEqual(decodeServerFrame(JSON.parse(encodeFrame(frame))), frame);
  });

  test("when a frame drifts from the protocol, then it decodes to null instead of half a frame", () => {
    for (
      const drifted of [
        { type: "MATCH", payload: { peer: "a-1", role: "host", pool: "public" } },
        { type: "MATCH", payload: { peer: 7, role: "caller", pool: "public" } },
        { type: "PARTNER-LEFT", payload: { peer: "a-1", reason: "bored" } },
        { type: "REJECTED", payload: { code: "made_up", msg: "" } },
        { type: "OFFER", src: "a-1", dst: "b-2", payload: { sdp: "x" } },
        { type: "NEW-THING" },
        "MATCH",
        null,
      ]
    ) assert.equal(decodeServerFrame(drifted), null, JSON.stringify(drifted));
  });
});

test("when a socket URL is built, then it names the key, id and token once, over ws or wss like the page", () => {
  assert.equal(
    socketUrl("http://127.0.0.1:8080", "/signaling/", { id: "a-1", token: "t+/=" }),
    "ws://127.0.0.1:8080/signaling/peerjs?key=peerjs&id=a-1&token=t%2B%2F%3D",
  );
  assert.equal(socketUrl("https://chat.example.org/", "/rtc", { id: "a", token: "b" }), "wss://chat.example.org/rtc/peerjs?key=peerjs&id=a&token=b");
});
