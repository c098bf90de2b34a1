/**
 * What one hostile client can do to the server and to other visitors: a real
 * server on port 0 and raw WebSocket clients that misbehave on purpose
 * (stalled readers, floods, crafted payloads, forged queries, dead networks).
 * Limits are docs/PROTOCOL.md §6's.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import { LIMITS } from "../src/signaling/limits.ts";
import { connect, identity, pair, PAYLOAD, refusedUpgrade, signal, socketUrl, stillServes } from "./support/client.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

/** JSON text of `[[[…]]]` nested `depth` deep: ~2 bytes a level (JSON.stringify itself overflows the stack on it). */
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

const online = async (origin: string) => (await (await fetch(`${origin}/api/stats`)).json()).online as number;

describe("what the server holds for a slow reader", () => {
  test("when a paired visitor stops reading while its partner keeps signaling, then it is cut off and the partner told, with little held", async (t) => {
    const server = await withServer(t);
    const [reader, sender] = await pair(t, server, "slow-reader");
    reader.stall();
    const keepAlive = setInterval(() => reader.send({ type: "HEARTBEAT" }), 500);
    t.after(() => clearInterval(keepAlive));
    // Large offers, inside the sender's own byte budget: only the reader is at fault.
    const offer = (n: number) => ({
      type: "OFFER",
      dst: reader.id,
      payload: { ...PAYLOAD.OFFER, sdp: { type: "offer", sdp: `${n}`.padEnd(30 * 1024, "x") } },
    });
    let relayed = 0;
    for (; relayed < 8; relayed++) sender.send(offer(relayed));
    const pacing = setInterval(() => sender.send(offer(relayed++)), 1000);
    t.after(() => clearInterval(pacing));
    const left = await sender.next("PARTNER-LEFT", 8000);
    clearInterval(pacing);
    assert.deepEqual(left.payload, { peer: reader.id, reason: "disconnect" });
    // The server let at most its bound (plus the frame that crossed it) pile up for the reader.
    assert.ok(relayed * 30 * 1024 <= LIMITS.maxUnreadBytes + 2 * 30 * 1024, `${relayed} offers of 30 KiB were relayed`);
    await waitFor(async () => (await online(server.origin)) === 1);
    sender.find("slow-reader");
    await sender.next("WAITING");
    assert.ok(!sender.frames.some((f) => f.type === "REJECTED"), "the sender stayed within its limits");
  });

  test("when a socket sends more bytes than its budget in frames it is allowed, then it is closed", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    const big = { ...PAYLOAD.OFFER, sdp: { type: "offer", sdp: "x".repeat(60 * 1024) } };
    for (let i = 0; i < 20; i++) a.send({ type: "OFFER", dst: b.id, payload: big });
    assert.deepEqual(await a.closed, { code: 1008, reason: "byte rate limit exceeded" });
    assert.equal((await b.next("PARTNER-LEFT")).payload!.reason, "disconnect");
    await stillServes(t, server);
  });
});

describe("relayed payloads", () => {
  test("when an offer's payload nests thousands of arrays, then the sender is refused and the partner keeps its socket", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    a.send(`{"type":"OFFER","dst":"${b.id}","payload":{"type":"data","connectionId":"dc_1","sdp":${nested(5000)}}}`);
    assert.equal((await a.next("REJECTED")).payload!.code, "invalid_payload");
    a.send(`{"type":"OFFER","dst":"${b.id}","payload":${nested(5000)}}`);
    assert.equal((await a.next("REJECTED")).payload!.code, "invalid_payload");
    a.send(signal("OFFER", b.id));
    assert.deepEqual((await b.next("OFFER")).payload, PAYLOAD.OFFER, "the first offer to arrive is the good one");
    assert.equal(b.types(), "nothing", "and nothing else arrived: no PARTNER-LEFT, no LEAVE");
  });

  test("when a LEAVE to a previous partner carries a crafted payload, then only a bare LEAVE arrives and its new call goes on", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server, "leave");
    const [c, d] = [await connect(t, server), await connect(t, server)];
    c.find("leave");
    await c.next("WAITING");
    a.find("leave"); // Next: a meets c, b is told
    await Promise.all([a.next("MATCH"), b.next("PARTNER-LEFT")]);
    b.find("leave");
    await b.next("WAITING");
    d.find("leave");
    await Promise.all([b.next("MATCH"), d.next("MATCH")]);
    a.send(`{"type":"LEAVE","dst":"${b.id}","payload":{"x":${nested(5000)}}}`);
    assert.deepEqual(await b.next("LEAVE"), { type: "LEAVE", src: a.id, dst: b.id });
    b.send(signal("OFFER", d.id));
    assert.equal((await d.next("OFFER")).src, b.id, "b's new call still signals");
    assert.ok(!d.frames.some((f) => f.type === "PARTNER-LEFT"));
  });

  test("when payloads break the shape peerjs sends, then each is refused with a reason and nothing is relayed", async (t) => {
    const server = await withServer(t);
    const broken: Array<[string, unknown]> = [
      ["OFFER", { ...PAYLOAD.OFFER, sdp: { type: "answer", sdp: "v=0" } }],
      ["OFFER", { ...PAYLOAD.OFFER, sdp: { type: "offer", sdp: "x".repeat(61_000) } }],
      ["OFFER", { ...PAYLOAD.OFFER, serialization: "evil" }],
      ["OFFER", { ...PAYLOAD.OFFER, type: "screen" }],
      ["ANSWER", { ...PAYLOAD.ANSWER, connectionId: "../../x" }],
      ["OFFER", { ...PAYLOAD.OFFER, reliable: "yes" }],
      ["CANDIDATE", { ...PAYLOAD.CANDIDATE, candidate: { candidate: "x".repeat(3000) } }],
      ["CANDIDATE", { ...PAYLOAD.CANDIDATE, candidate: { ...PAYLOAD.CANDIDATE.candidate, sdpMLineIndex: -1 } }],
    ];
    // Four at a time: the fifth malformed frame would close the sender.
    for (let i = 0; i < broken.length; i += 4) {
      const [a, b] = await pair(t, server);
      for (const [type, payload] of broken.slice(i, i + 4)) {
        a.send({ type, dst: b.id, payload });
        const rejected = await a.next("REJECTED");
        assert.equal(rejected.payload!.code, "invalid_payload", JSON.stringify(payload).slice(0, 80));
        assert.match(String(rejected.payload!.msg), new RegExp(`^${type} payload`));
      }
      assert.ok(await b.none("OFFER"));
      assert.ok(!b.frames.some((f) => ["ANSWER", "CANDIDATE"].includes(f.type)));
    }
  });

  test("when a payload has fields peerjs does not send, then they are dropped, metadata included", async (t) => {
    const server = await withServer(t);
    const [a, b] = await pair(t, server);
    a.send({ type: "OFFER", dst: b.id, payload: { ...PAYLOAD.OFFER, metadata: { deep: JSON.parse(nested(100)) }, extra: "x", src: "forged" } });
    const offer = await b.next("OFFER");
    assert.deepEqual(offer.payload, PAYLOAD.OFFER);
    assert.equal(offer.src, a.id);
  });
});

describe("the upgrade query", () => {
  test("when a query repeats id or token, then the upgrade is refused with 400 and the victim can still connect", async (t) => {
    const server = await withServer(t);
    const mine = await identity(server);
    const victim = await identity(server);
    const base = socketUrl(server, mine.id, mine.token);
    const squat = await refusedUpgrade(`${base}&id=${victim.id}&token=x`);
    assert.equal(squat.status, 400);
    assert.equal(squat.body.error, "bad_request");
    assert.match(squat.body.message, /repeats "id"/);
    assert.equal((await refusedUpgrade(`${base}&key=peerjs`)).status, 400);
    const owner = new WebSocket(socketUrl(server, victim.id, victim.token));
    t.after(() => owner.terminate());
    await new Promise((resolve, reject) => {
      owner.once("message", resolve);
      owner.once("close", reject);
    });
  });
});

describe("sockets the server is done with", { concurrency: true }, () => {
  test("when a visitor's network dies, then its partner is told within 15 s and it is never matched again", async (t) => {
    const server = await withServer(t);
    const [ghost, partner] = await pair(t, server, "dead-network");
    const died = Date.now();
    ghost.stall(); // reads nothing, sends nothing: pings go unanswered
    const left = await partner.next("PARTNER-LEFT", 16_000);
    const after = Date.now() - died;
    assert.deepEqual(left.payload, { peer: ghost.id, reason: "disconnect" });
    assert.ok(after <= 15_000, `told after ${after} ms`);
    assert.ok(after >= LIMITS.pingAfterMs, `told after ${after} ms, before any ping could have gone unanswered`);
    partner.find("dead-network");
    await partner.next("WAITING");
  });

  test("when a queued visitor's network dies, then a newcomer is not matched with it", async (t) => {
    const server = await withServer(t);
    const ghost = await connect(t, server);
    ghost.find("dead-queue");
    await ghost.next("WAITING");
    ghost.stall();
    await waitFor(async () => (await online(server.origin)) === 0, { timeout: 16_000, interval: 200 });
    const newcomer = await connect(t, server);
    newcomer.find("dead-queue");
    await newcomer.next("WAITING");
  });

  test("when the server closes a socket that never answers the close, then it leaves matchmaking at once and is cut off soon after", async (t) => {
    const server = await withServer(t);
    const [flooder, partner] = await pair(t, server, "unanswered-close");
    flooder.stall(); // it will not see, so not answer, our close frame
    for (let i = 0; i < 150; i++) flooder.send({ type: "HEARTBEAT" });
    const flooded = Date.now();
    assert.equal((await partner.next("PARTNER-LEFT", 1000)).payload!.peer, flooder.id);
    assert.ok(Date.now() - flooded < 1000);
    const newcomer = await connect(t, server);
    newcomer.find("unanswered-close");
    partner.find("unanswered-close");
    assert.equal((await newcomer.next("MATCH")).payload!.peer, partner.id, "never the flooder");
    await waitFor(async () => (await online(server.origin)) === 2, { timeout: LIMITS.closeGraceMs + 2000 });
  });

  test("when a socket answers pings but sends no HEARTBEAT for 30 s, then it is closed with 1008", async (t) => {
    const server = await withServer(t);
    const quiet = await connect(t, server);
    const started = Date.now();
    assert.deepEqual(await quiet.closed, { code: 1008, reason: "no HEARTBEAT for 30 s" });
    assert.ok(Date.now() - started >= LIMITS.heartbeatTimeoutMs - 1000);
  });
});
