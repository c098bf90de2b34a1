/**
 * The connection and stranger models (ui/model/connection.ts, stranger.ts),
 * driven through the page model with fakes of the browser: signaling,
 * matching, leaving, reconnecting, refusal.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Blocked } from "../ui/peer-client.ts";
import { CLOSE_GRACE_MS, CONNECT_TIMEOUT_MS } from "../ui/model/stranger.ts";
import { CAPTION, TEXT } from "../ui/model/text.ts";
import { FakeCall, FakeData, settle } from "./fakes/browser.ts";
import { online, paired, setup, texts } from "./fakes/page.ts";

describe("page model: signaling and matching", () => {
  test("when started, then it gets media and an identity, connects, and looks for a stranger without a click", async () => {
    const { page, media, client } = setup();
    assert.equal(page.serverState.value, "connecting");
    page.start();
    await settle();
    assert.deepEqual(media.captured[0], { audio: true, video: true });
    assert.equal(client().identity.id, "me");
    client().on.open();
    assert.equal(page.serverState.value, "connected");
    assert.equal(page.peerState.value, "waiting");
    assert.equal(client().finds, 1);
  });

  test("when matched as caller, then it connects and calls that stranger, and is connected once the channel opens", async () => {
    const { page, client } = await online();
    client().on.match({ peer: "p1", role: "caller" });
    assert.equal(page.peerState.value, "connecting");
    assert.deepEqual(client().data.map((d) => d.peer), ["p1"]);
    assert.deepEqual(client().calls.map((c) => c.peer), ["p1"]);
    assert.equal(client().calls[0].stream, page.localStream, "calls with the local stream");
    client().data[0].h.open!();
    assert.equal(page.peerState.value, "connected");
    assert.deepEqual(texts(page), [`system:${TEXT.connected}`]);
    assert.deepEqual(client().data[0].sent, [{ t: "media", camera: true, video: true, microphone: true, audio: true }]);
  });

  test("when matched as callee, then only the partner's connection and call are accepted", async () => {
    const { page, client } = await online();
    client().on.match({ peer: "p1", role: "callee" });
    assert.equal(client().data.length, 0, "the callee waits");
    const intruder = new FakeData("x9");
    const intruderCall = new FakeCall("x9");
    client().on.connection(intruder);
    client().on.call(intruderCall);
    assert.ok(intruder.closed && intruderCall.closed, "a non-partner is refused");
    const data = new FakeData("p1");
    const call = new FakeCall("p1");
    client().on.connection(data);
    client().on.call(call);
    assert.equal(call.answeredWith, page.localStream);
    assert.ok(!data.closed && !call.closed);
    const second = new FakeData("p1");
    client().on.connection(second);
    assert.ok(second.closed, "one connection per partner");
    data.h.open!();
    call.h.stream!({ id: "remote" } as unknown as MediaStream);
    assert.equal(page.peerState.value, "connected");
    assert.deepEqual(page.remoteStream.value, { id: "remote" });
  });

  test("when the partner leaves, then a system line says so and it looks for another stranger", async () => {
    const { page, client, data, call, timers } = await paired();
    client().on.partnerLeft({ peer: "someone-else", reason: "next" });
    assert.equal(page.peerState.value, "connected", "a stale notice is ignored");
    client().on.partnerLeft({ peer: "p1", reason: "disconnect" });
    await timers.advance(0);
    assert.ok(data.closed && call.closed);
    assert.equal(page.remoteStream.value, null);
    assert.equal(page.peerState.value, "waiting");
    assert.equal(client().finds, 2);
    assert.deepEqual(texts(page).at(-1), `system:${TEXT.left}`);
  });

  test("when a new stranger is matched, then the messages of the last one are cleared", async () => {
    const { page, client, data } = await paired();
    data.h.data!({ t: "msg", text: "bye" });
    client().on.partnerLeft({ peer: "p1", reason: "next" });
    assert.equal(page.messages.value.length, 3);
    client().on.match({ peer: "p2", role: "callee" });
    assert.deepEqual(page.messages.value, []);
  });

  test("when Next is pressed, then the stranger's links close, the chat clears and a new stranger is sought", async () => {
    const { page, client, data, call, timers } = await paired();
    page.send("hi");
    page.next();
    assert.equal(client().finds, 2);
    assert.equal(page.send("too late"), false, "the old stranger is gone at once");
    await timers.advance(0);
    assert.ok(data.closed && call.closed);
    assert.deepEqual(page.messages.value, []);
    assert.equal(page.peerState.value, "waiting");
    assert.equal(page.send("after"), false, "nothing more goes to the old stranger");
    assert.deepEqual(data.sent.filter((m) => (m as { t: string }).t === "msg"), [{ t: "msg", text: "hi" }]);
    data.h.data!({ t: "msg", text: "late" });
    assert.deepEqual(page.messages.value, [], "and nothing of theirs shows up");
  });

  test("when the data channel closes without word from the server, then the stranger counts as gone after a grace period", async () => {
    const { page, timers, data, client } = await paired();
    data.h.close!();
    assert.equal(page.peerState.value, "connected");
    await timers.advance(CLOSE_GRACE_MS);
    assert.equal(page.peerState.value, "waiting");
    assert.equal(client().finds, 2);
  });

  test("when a matched stranger never connects, then it moves on after the timeout", async () => {
    const { page, timers, client } = await online();
    client().on.match({ peer: "p1", role: "caller" });
    await timers.advance(CONNECT_TIMEOUT_MS);
    assert.ok(client().data[0].closed);
    assert.equal(page.peerState.value, "waiting");
    assert.deepEqual(texts(page), [`system:${TEXT.noConnect}`]);
  });

  test("when the server refuses the country, then the page shows blocked with the server's code and country, and stops", async () => {
    const { page, clients, timers } = setup({
      identity: () => Promise.reject(new Blocked("Chatroulette is not available in your country (Narnia).", "country_blocked", "NA")),
    });
    page.start();
    await settle();
    assert.equal(page.serverState.value, "blocked");
    assert.deepEqual(page.refused.value, { code: "country_blocked", country: "NA" });
    await timers.advance(60_000);
    assert.equal(clients.length, 0, "no retries");
  });

  test("when the signaling socket drops while waiting, then it reconnects with growing delays and looks for a stranger again", async () => {
    let failures = 0;
    const s = setup({
      identity: async () => {
        if (failures-- > 0) throw new TypeError("Failed to fetch");
        return { id: "me", token: "t" };
      },
    });
    s.page.start();
    await settle();
    s.client().on.open();
    failures = 2; // the server is away for two attempts
    s.client().on.closed();
    assert.equal(s.page.serverState.value, "disconnected");
    assert.equal(s.page.peerState.value, "idle");
    assert.ok(s.clients[0].destroyed, "without a stranger there is nothing to keep: a fresh start");
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(s.page.reconnectAt.value! - s.timers.now);
      await s.timers.advance(delays.at(-1)!);
    }
    assert.deepEqual(delays, [500, 1000, 2000], "backoff doubles (jitter fixed at the middle)");
    assert.equal(s.clients.length, 2);
    s.client().on.open();
    assert.equal(s.page.serverState.value, "connected");
    assert.equal(s.client().finds, 1);
  });
});

describe("page model: the stranger's video caption", () => {
  test("when a stranger is sought, connecting, or sends no picture, then the caption says why; when they show, then it is gone", async () => {
    const { page, client } = setup();
    assert.equal(page.strangerCaption.value, CAPTION.connecting, "before the server answers");
    page.start();
    await settle();
    client().on.open();
    assert.equal(page.strangerCaption.value, CAPTION.looking);
    client().on.match({ peer: "p1", role: "caller" });
    assert.equal(page.strangerCaption.value, CAPTION.connecting);
    const data = client().data[0];
    data.h.open!();
    assert.equal(page.strangerCaption.value, null);
    data.h.data!({ t: "media", camera: true, video: false, microphone: true, audio: true });
    assert.equal(page.strangerCaption.value, CAPTION.strangerPaused);
    data.h.data!({ t: "media", camera: false, video: false, microphone: true, audio: true });
    assert.equal(page.strangerCaption.value, CAPTION.strangerNoCamera);
  });
});

describe("page model: a dropped socket", () => {
  test("when a dropped socket still delivers a match, a connection or a call, then they are ignored or closed", async () => {
    const s = await online();
    const old = s.client();
    old.on.closed();
    await s.timers.advance(s.page.reconnectAt.value! - s.timers.now);
    assert.equal(s.clients.length, 2, "a new socket is open");
    s.client().on.open();
    old.on.match({ peer: "p1", role: "callee" });
    const data = new FakeData("p1");
    const call = new FakeCall("p1");
    old.on.connection(data);
    old.on.call(call);
    assert.ok(data.closed && call.closed);
    assert.equal(s.page.peerState.value, "waiting");
  });
});
