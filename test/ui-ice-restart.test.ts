/**
 * Calls that survive a network change, through the page model with fakes of
 * the browser: ICE restarts through the signaling server (caller offers,
 * callee answers, again until back, give up after a while), and a dropped
 * signaling socket reopened with the same identity during a call.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RESUME_MS } from "../ui/model/connection.ts";
import { GIVE_UP_MS, RESTART_AFTER_MS, RESTART_EVERY_MS } from "../ui/model/ice-keeper.ts";
import { CAPTION, TEXT } from "../ui/model/text.ts";
import { settle } from "./fakes/browser.ts";
import { paired, texts } from "./fakes/page.ts";

describe("page model: ICE restarts", () => {
  test("when the caller's connections drop, then after a moment it restarts both through the server, and the answers are applied", async () => {
    const { page, client, data, call, timers } = await paired("caller");
    data.h.ice!("connected");
    call.h.ice!("connected");
    call.h.ice!("disconnected");
    data.h.ice!("disconnected");
    assert.equal(page.strangerCaption.value, CAPTION.reconnecting);
    assert.equal(page.quality.value, "poor");
    assert.equal(client().restarts.length, 0, "disconnected may clear by itself");
    await timers.advance(RESTART_AFTER_MS);
    await settle();
    assert.deepEqual(client().restarts.map((r) => [r.peer, r.connectionId, r.kind, r.sdp.type]).sort(), [
      ["p1", call.connectionId, "media", "offer"],
      ["p1", data.connectionId, "data", "offer"],
    ].sort());
    client().on.restart({ peer: "p1", connectionId: call.connectionId, kind: "media", sdp: { type: "answer", sdp: "a" } });
    assert.deepEqual(call.accepted, [{ type: "answer", sdp: "a" }]);
    call.h.ice!("connected");
    data.h.ice!("completed");
    assert.equal(page.strangerCaption.value, null, "back");
    assert.equal(page.peerState.value, "connected");
    assert.equal(texts(page).length, 1, "no notice: the call simply goes on");
  });

  test("when an offer gets no answer, then it is offered again every few seconds; a failed connection is restarted at once", async () => {
    const { client, call, timers } = await paired("caller");
    call.h.ice!("connected");
    call.h.ice!("failed");
    await settle();
    assert.equal(client().restarts.length, 1, "failed: no point waiting");
    await timers.advance(RESTART_EVERY_MS);
    await settle();
    assert.equal(client().restarts.length, 2);
    assert.notEqual(client().restarts[0].sdp.sdp, client().restarts[1].sdp.sdp, "a new offer each time");
  });

  test("when the callee's connection drops, then it only answers the caller's offers", async () => {
    const { client, call, timers } = await paired("callee");
    call.h.ice!("connected");
    call.h.ice!("disconnected");
    await timers.advance(RESTART_AFTER_MS * 2);
    assert.equal(client().restarts.length, 0, "the callee never offers: no glare");
    client().on.restart({ peer: "p1", connectionId: call.connectionId, kind: "media", sdp: { type: "offer", sdp: "o" } });
    await settle();
    assert.deepEqual(call.answered, [{ type: "offer", sdp: "o" }]);
    assert.deepEqual(client().restarts.map((r) => [r.peer, r.sdp]), [["p1", { type: "answer", sdp: "answer to o" }]]);
    client().on.restart({ peer: "intruder", connectionId: call.connectionId, kind: "media", sdp: { type: "offer", sdp: "x" } });
    await settle();
    assert.equal(call.answered.length, 1, "only the stranger restarts our connections");
  });

  test("when the connection is not back in time, then the page gives up, says so, and finds another stranger", async () => {
    const { page, client, call, timers } = await paired("caller");
    call.h.ice!("connected");
    call.h.ice!("disconnected");
    const finds = client().finds;
    await timers.advance(GIVE_UP_MS);
    assert.equal(texts(page).at(-1), `system:${TEXT.couldntKeep}`);
    assert.equal(client().finds, finds + 1);
    assert.equal(page.peerState.value, "waiting");
  });

  test("when a connection has never been up, then its states are left to the connect timeout", async () => {
    const { client, call, timers } = await paired("caller");
    call.h.ice!("checking");
    call.h.ice!("disconnected");
    await timers.advance(RESTART_AFTER_MS * 3);
    assert.equal(client().restarts.length, 0);
  });
});

describe("page model: the signaling socket drops during a call", () => {
  test("when it drops, then the same identity is reopened and the call kept; the server's repeated MATCH changes nothing", async () => {
    const s = await paired("caller");
    s.data.h.ice!("connected");
    s.client().on.closed();
    assert.equal(s.page.serverState.value, "disconnected");
    assert.equal(s.page.peerState.value, "connected", "the call goes on meanwhile");
    assert.equal(s.client().destroyed, false);
    await s.timers.advance(s.page.reconnectAt.value! - s.timers.now);
    assert.equal(s.client().reconnects, 1);
    assert.equal(s.clients.length, 1, "no new identity");
    const finds = s.client().finds;
    s.client().on.open();
    s.client().on.match({ peer: "p1", role: "caller" });
    assert.equal(s.page.serverState.value, "connected");
    assert.equal(s.client().finds, finds, "no FIND: that would be Next");
    assert.equal(s.client().data.length, 1, "no new connection");
    assert.equal(s.data.closed, false);
    s.client().on.partnerLeft({ peer: "p1", reason: "stop" });
    assert.equal(texts(s.page).at(-1), `system:${TEXT.left}`);
  });

  test("when it cannot be reopened within a while, then the stranger is let go and the page starts afresh", async () => {
    const s = await paired("caller");
    const dropped = s.timers.now;
    for (let attempt = 0; attempt < 10 && !s.clients[0].destroyed; attempt++) {
      s.client().on.closed(); // each attempt to reopen fails
      if (!s.clients[0].destroyed) await s.timers.advance(s.page.reconnectAt.value! - s.timers.now);
    }
    assert.ok(s.clients[0].destroyed);
    assert.ok(s.timers.now - dropped >= RESUME_MS, "not before RESUME_MS");
    assert.ok(s.clients[0].reconnects >= 3, "it tried to reopen meanwhile");
    assert.equal(texts(s.page).at(-1), `system:${TEXT.lost}`);
    await s.timers.advance(s.page.reconnectAt.value! - s.timers.now);
    await settle();
    assert.equal(s.clients.length, 2, "a new identity");
  });
});
