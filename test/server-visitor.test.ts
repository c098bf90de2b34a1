/**
 * What visitors ask for beyond a partner, against a real server and real
 * WebSocket clients: interests, language, text only, preferences (with and
 * without --preferences), the online count, and a visitor's socket coming
 * back (a network change) without losing its partner.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import type { FindPayload } from "../src/protocol/index.ts";
import { Client, connect, pair, signal, socketUrl } from "./support/client.ts";
import { withServer } from "./support/server.ts";

const ask = (c: Client, payload: FindPayload) => c.send({ type: "FIND", payload });

describe("what a FIND asks for", () => {
  test("when two share an interest and a third does not, then the two are paired and told only what they share", async (t) => {
    const server = await withServer(t);
    const [plain, music, chess] = [await connect(t, server), await connect(t, server), await connect(t, server)];
    plain.find();
    await plain.next("WAITING");
    ask(music, { interests: ["Music", "Chess"] });
    await music.next("WAITING");
    ask(chess, { interests: ["chess", "go"] });
    const [a, b] = await Promise.all([chess.next("MATCH"), music.next("MATCH")]);
    assert.deepEqual(a.payload, { peer: music.id, role: "caller", pool: "public", interests: ["chess"] });
    assert.deepEqual(b.payload, { peer: chess.id, role: "callee", pool: "public", interests: ["chess"] });
    assert.ok(await plain.none("MATCH"), "the older plain visitor waits on");
  });

  test("when nobody shares an interest, then after --interest-wait the visitor is paired with anyone, without asking again", async (t) => {
    const server = await withServer(t, { interestWait: 1 });
    const [plain, music] = [await connect(t, server), await connect(t, server)];
    plain.find();
    await plain.next("WAITING");
    const asked = Date.now();
    ask(music, { interests: ["music"], language: "en" });
    await music.next("WAITING");
    const match = await music.next("MATCH", 4000);
    assert.equal(match.payload.peer, plain.id);
    assert.equal(match.payload.interests, undefined);
    assert.ok(Date.now() - asked >= 900, "not before the wait");
  });

  test("when text-only visitors ask, then they meet each other and never a video visitor", async (t) => {
    const server = await withServer(t, { interestWait: 0 });
    const [video, text1, text2] = [await connect(t, server), await connect(t, server), await connect(t, server)];
    video.find();
    await video.next("WAITING");
    ask(text1, { textOnly: true });
    await text1.next("WAITING");
    ask(text2, { textOnly: true });
    assert.equal((await text2.next("MATCH")).payload.peer, text1.id);
    assert.ok(await video.none("MATCH"));
  });

  test("when a FIND is malformed, then it is refused with its code and the visitor can still ask properly", async (t) => {
    const server = await withServer(t);
    const c = await connect(t, server);
    for (const [payload, code] of [
      [{ interests: ["a", "b", "c", "d", "e", "f"] }, "invalid_interests"],
      [{ interests: ["x".repeat(33)] }, "invalid_interests"],
      [{ language: "klingon" }, "invalid_language"],
      [{ preferences: { gender: "robot", lookingFor: "anyone" } }, "invalid_preferences"],
    ] as const) {
      c.send({ type: "FIND", payload });
      assert.equal((await c.next("REJECTED")).payload.code, code);
    }
    ask(c, { interests: ["ok"] });
    await c.next("WAITING");
  });

  test("when preferences reach a server without --preferences, then they are dropped with a notice and the FIND goes ahead", async (t) => {
    const server = await withServer(t);
    const [a, b] = [await connect(t, server), await connect(t, server)];
    ask(a, { preferences: { gender: "man", lookingFor: "women" } });
    assert.equal((await a.next("REJECTED")).payload.code, "preferences_off");
    await a.next("WAITING");
    ask(b, { preferences: { gender: "man", lookingFor: "women" } });
    await b.next("REJECTED");
    assert.equal((await b.next("MATCH")).payload.peer, a.id, "ignored: two men looking for women meet");
    for (let i = 0; i < 6; i++) {
      ask(a, { preferences: { gender: "man", lookingFor: "women" } });
      await a.next("REJECTED");
    }
    assert.equal(a.ws.readyState, WebSocket.OPEN, "a notice, not a strike");
  });

  test("when the server runs with --preferences, then declarations filter both ways", async (t) => {
    const server = await withServer(t, { preferences: true, interestWait: 0 });
    const [man, woman, other] = [await connect(t, server), await connect(t, server), await connect(t, server)];
    ask(man, { preferences: { gender: "man", lookingFor: "women" } });
    await man.next("WAITING");
    ask(other, { preferences: { gender: "other", lookingFor: "anyone" } });
    await other.next("WAITING");
    ask(woman, { preferences: { gender: "woman", lookingFor: "anyone" } });
    assert.equal((await woman.next("MATCH")).payload.peer, man.id);
    assert.ok(await other.none("MATCH"));
  });
});

describe("the online count", () => {
  test("when a visitor connects, then it is told the count, and told again as it changes, at most every 10 s", async (t) => {
    let now = Date.now();
    const server = await withServer(t, {}, { now: () => now });
    const a = await connect(t, server);
    assert.deepEqual((await a.next("ONLINE")).payload, { count: 1 });
    const b = await connect(t, server);
    assert.deepEqual((await b.next("ONLINE")).payload, { count: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a tick or more passes
    assert.ok(!a.frames.some((f) => f.type === "ONLINE"), "not within 10 s of the last");
    now += 10_000;
    assert.deepEqual((await a.next("ONLINE", 3000)).payload, { count: 2 });
    const stats = await (await fetch(`${server.origin}/api/stats`)).json();
    assert.equal(stats.online, 2);
  });
});

describe("a visitor's socket coming back", () => {
  test("when a paired visitor reconnects with its id and token, then the new socket takes over: the partner stays, and is not told", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    const again = new Client(new WebSocket(socketUrl(server, a.id, a.token)), a.id);
    t.after(() => again.ws.terminate());
    await again.next("OPEN");
    const replayed = await again.next("MATCH");
    assert.equal(replayed.payload.peer, b.id, "what the old socket may have missed");
    const closed = await a.closed;
    assert.equal(closed.code, 1006, "the old socket is cut off");
    again.send(signal("RESTART", b.id));
    assert.equal((await b.next("RESTART")).src, a.id, "signaling reaches the partner from the new socket");
    b.send(signal("CANDIDATE", a.id));
    await again.next("CANDIDATE");
    assert.ok(await b.none("PARTNER-LEFT"));
  });

  test("when the partner left while the socket was gone, then the new socket is told", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    a.stall(); // its network is gone: what follows never reaches it
    b.send({ type: "STOP" });
    const again = new Client(new WebSocket(socketUrl(server, a.id, a.token)), a.id);
    t.after(() => again.ws.terminate());
    await again.next("OPEN");
    assert.deepEqual((await again.next("PARTNER-LEFT")).payload, { peer: b.id, reason: "stop" });
  });

  test("when the server had already let the visitor go, then the new socket starts afresh and the partner was told", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    a.close();
    assert.equal((await b.next("PARTNER-LEFT")).payload.reason, "disconnect");
    const again = new Client(new WebSocket(socketUrl(server, a.id, a.token)), a.id);
    t.after(() => again.ws.terminate());
    await again.next("OPEN");
    assert.ok(await again.none("MATCH"));
  });
});
