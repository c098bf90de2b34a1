/**
 * One signaling socket's session, driven directly: a fake socket (what ws
 * would be) and a clock the test moves, over the real in-memory matchmaker.
 */
import assert from "node:assert/strict";
import { setImmediate as settle } from "node:timers/promises";
import { describe, test } from "node:test";
import { createLogger } from "../src/log.ts";
import type { MatchEvent } from "../src/matchmaker/core.ts";
import { createMemoryStore } from "../src/matchmaker/store.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import { createMemorySafetyStore, type Ban } from "../src/safety/store.ts";
import { decodeServerFrame, defaultWish, type ServerFrame } from "../src/protocol/index.ts";
import { LIMITS } from "../src/signaling/limits.ts";
import { KeptConducts } from "../src/signaling/kept-conducts.ts";
import { createSerial } from "../src/signaling/serial.ts";
import { type FrameSocket, Session } from "../src/signaling/session.ts";
import type { Registered } from "../src/signaling/session-deps.ts";
import { signal } from "./support/client.ts";

/** What ws would do with our calls, recorded. */
class FakeSocket implements FrameSocket {
  sent: ServerFrame[] = [];
  closedWith: [number, string] | null = null;
  pings = 0;
  terminated = false;
  send(data: string) {
    this.sent.push(decodeServerFrame(JSON.parse(data))!);
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
    session?.closing(); // as GatedSocket does
  }
  ping() {
    this.pings++;
  }
  terminate() {
    this.terminated = true;
  }
}

let session: Session | undefined;

/** Next: two at once, then one every 6 s. */
const NEXT_LIMIT = { burst: 2, perMinute: 10 };

/** A session on a fake socket, with its clock, stores and what it relayed or banned. */
function setup() {
  let now = 1_000_000;
  const store = createMemoryStore();
  const safety = createMemorySafetyStore({ ban: { reports: 3, windowMs: 3_600_000, durationMs: 86_400_000 }, identitiesPerMinute: 0 });
  const bans: Ban[] = [];
  const socket = new FakeSocket();
  const relayed: Array<[string, string]> = [];
  const delivered: MatchEvent[] = [];
  const forgotten: Registered[] = [];
  const metrics = createMetrics({ online: () => 1, stats: () => store.stats() });
  store.attach({
    deliver: (events) => {
      delivered.push(...events);
      for (const e of events) if (e.to === "me") session!.receive(e);
    },
    relayed: () => {},
    resync: () => {},
    online: () => 1,
  });
  session = new Session("me", socket, {
    store,
    serial: createSerial(),
    forget: (s) => forgotten.push(s),
    relay: (_from, to, _type, text) => relayed.push([to, text]),
    now: () => now,
    log: createLogger("silent"),
    preferences: false,
    metrics,
    safety: { store: safety, nextLimit: NEXT_LIMIT, addressOf: (id) => `addr-${id}`, banned: (ban) => bans.push(ban) },
    kept: new KeptConducts(),
  }, "addr-me");
  const s = session;
  const frame = (value: unknown) => s.message(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), false);
  return { s, socket, store, safety, bans, relayed, delivered, forgotten, frame, metrics, advance: (ms: number) => now += ms, now: () => now };
}

describe("budgets", () => {
  test("when frames come faster than the budget, then the burst passes, the next is refused, and the rate refills", () => {
    const { socket, frame, advance } = setup();
    for (let i = 0; i < LIMITS.burstFrames; i++) frame({ type: "HEARTBEAT" });
    assert.equal(socket.closedWith, null);
    advance(1000); // refills framesPerSecond
    for (let i = 0; i < LIMITS.framesPerSecond; i++) frame({ type: "HEARTBEAT" });
    assert.equal(socket.closedWith, null);
    frame({ type: "HEARTBEAT" });
    assert.deepEqual(socket.closedWith, [1008, "rate limit exceeded"]);
  });

  test("when bytes come faster than the budget in few frames, then the socket is closed for bytes", () => {
    const { socket, frame } = setup();
    const big = "x".repeat(60 * 1024);
    for (let i = 0; i * big.length <= LIMITS.burstBytes; i++) frame(big);
    assert.deepEqual(socket.closedWith, [1008, "byte rate limit exceeded"]);
  });

  test("when malformed frames repeat, then each is answered and the fifth closes the socket", () => {
    const { socket, frame } = setup();
    for (let i = 0; i < LIMITS.maxStrikes; i++) frame("{bad");
    assert.equal(socket.sent.filter((f) => f.type === "REJECTED").length, LIMITS.maxStrikes);
    assert.deepEqual(socket.closedWith, [1008, "too many malformed frames"]);
  });
});

describe("liveness", () => {
  test("when a socket goes quiet, then it is pinged, and dropped if the ping is not answered in time", () => {
    const { s, socket, advance, now } = setup();
    advance(LIMITS.pingAfterMs);
    s.tick(now());
    assert.equal(socket.pings, 0, "not yet");
    advance(1);
    s.tick(now());
    assert.equal(socket.pings, 1);
    advance(LIMITS.pongTimeoutMs);
    s.tick(now());
    assert.equal(socket.terminated, false, "still within the pong timeout");
    advance(1);
    s.tick(now());
    assert.equal(socket.terminated, true);
  });

  test("when pings are answered, then a socket that also sends HEARTBEAT lives on", () => {
    const { s, socket, frame, advance, now } = setup();
    for (let second = 0; second < 60; second++) {
      advance(1000);
      if (second % 5 === 0) frame({ type: "HEARTBEAT" });
      s.tick(now());
      if (socket.pings > 0) s.pong();
    }
    assert.equal(socket.terminated, false);
    assert.equal(socket.closedWith, null);
  });

  test("when a socket answers pings but sends no HEARTBEAT, then it is closed after the heartbeat timeout", () => {
    const { s, socket, advance, now } = setup();
    for (let ms = 0; ms <= LIMITS.heartbeatTimeoutMs; ms += 1000) {
      advance(1000);
      s.tick(now());
      s.pong();
    }
    assert.deepEqual(socket.closedWith, [1008, "no HEARTBEAT for 30 s"]);
  });
});

describe("what is held for a socket", () => {
  test("when sends outrun what the socket acknowledges, then it is pinged, and cut off past the bound", () => {
    const { s, socket } = setup();
    const chunk = JSON.stringify({ type: "WAITING", payload: { pool: "x".repeat(16 * 1024) } });
    s.push(chunk);
    s.push(chunk);
    s.push(chunk);
    assert.equal(socket.pings, 1, "asked for an acknowledgement past pingUnreadBytes");
    s.pong(); // read all 48 KiB
    for (let sent = 0; sent <= LIMITS.maxUnreadBytes; sent += chunk.length) s.push(chunk);
    assert.equal(socket.terminated, true);
  });
});

describe("matchmaking and relaying", () => {
  test("when the server closes the socket, then it leaves matchmaking at once, before the socket has closed", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { s, socket, store, frame } = setup();
    frame({ type: "FIND", payload: { pool: "p" } });
    await settle();
    assert.equal(await store.waiting(), 1);
    s.end(1008, "test");
    await settle();
    assert.equal(await store.waiting(), 0, "left the queue before any close event");
    assert.equal(socket.terminated, false);
    t.mock.timers.tick(LIMITS.closeGraceMs);
    assert.equal(socket.terminated, true, "cut off after the grace");
  });

  test("when it signals its partner or anyone else, then only the partner is relayed to, with src set", async () => {
    const { store, relayed, socket, frame, now } = setup();
    await store.find("partner", defaultWish("p"), now());
    frame({ type: "FIND", payload: { pool: "p" } });
    await settle();
    frame(signal("OFFER", "partner"));
    frame(signal("OFFER", "stranger"));
    assert.equal(relayed.length, 1);
    assert.equal(relayed[0][0], "partner");
    assert.equal(JSON.parse(relayed[0][1]).src, "me");
    assert.equal(socket.sent.at(-1)?.type, "REJECTED");
  });
});

/** Pairs the session with `partner`, who waits in pool "p" (it is the caller). */
async function pairWith(t: ReturnType<typeof setup>, partner: string) {
  await t.store.find(partner, defaultWish("p"), t.now(), `addr-${partner}`);
  t.frame({ type: "FIND", payload: { pool: "p" } });
  await settle();
  assert.equal(t.s.partner, partner);
}

const rejections = (socket: FakeSocket) =>
  socket.sent.filter((f) => f.type === "REJECTED").map((f) => (f as Extract<ServerFrame, { type: "REJECTED" }>).payload.code);

describe("Next limit", () => {
  test("when Next is pressed faster than the limit, then the burst passes, the rest are refused with a wait, the socket stays, and the rate refills", async () => {
    const t = setup();
    for (const partner of ["p1", "p2", "p3"]) await pairWith(t, partner); // two Next presses: the burst
    t.frame({ type: "FIND", payload: { pool: "p" } });
    await settle();
    const refused = t.socket.sent.at(-1);
    assert.deepEqual(refused, { type: "REJECTED", payload: { code: "rate_limited", msg: "Next is limited; try again in 6 s.", retryAfter: 6 } });
    assert.equal(t.s.partner, "p3", "the refused Next left the pair alone");
    assert.equal(t.socket.closedWith, null, "not a disconnect");
    t.frame({ type: "STOP" });
    assert.equal(rejections(t.socket).length, 2, "STOP while paired counts as leaving too");
    t.advance(6000);
    await pairWith(t, "p4");
    const verdict = await t.safety.admitIdentity("addr-me", t.now());
    assert.ok(verdict.kind === "admitted" && verdict.suspect, "the address is suspect for --challenge auto");
  });

  test("when FIND is sent while not paired, then it does not count as Next", async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) {
      t.frame({ type: "FIND", payload: { pool: `pool-${i}` } });
      t.frame({ type: "STOP" });
    }
    await settle();
    assert.deepEqual(rejections(t.socket), []);
  });
});

describe("reports", () => {
  test("when the partner is reported, then the pair ends like Next, the addresses are kept apart, and REPORTED answers", async () => {
    const t = setup();
    await pairWith(t, "bad");
    t.frame({ type: "REPORT", payload: { peer: "bad", reason: "nudity" } });
    await settle();
    assert.equal(t.s.partner, null);
    assert.deepEqual(t.delivered.slice(-2), [
      { type: "partner-left", to: "bad", partner: "me", reason: "next" },
      { type: "waiting", to: "me", pool: "p" },
    ]);
    assert.deepEqual(t.socket.sent.filter((f) => f.type === "REPORTED"), [{ type: "REPORTED", payload: { peer: "bad" } }]);
    const [report] = await t.safety.reports(t.now(), 10);
    assert.deepEqual(report, { at: t.now(), reporter: "addr-me", reported: "addr-bad", reason: "nudity", peer: "bad" });
    await t.store.find("bad-again", defaultWish("p"), t.now(), "addr-bad"); // the reported visitor, back with a new identity
    await settle();
    assert.equal(t.s.partner, null, "not paired again while either keeps the same address");
  });

  test("when someone else, oneself, a partner twice, or one who left over a minute ago is reported, then each is refused and nothing is recorded", async () => {
    const t = setup();
    t.frame({ type: "REPORT", payload: { peer: "stranger", reason: "spam" } });
    t.frame({ type: "REPORT", payload: { peer: "me", reason: "spam" } });
    t.frame({ type: "REPORT", payload: { peer: "stranger", reason: "rude" } });
    await pairWith(t, "p1");
    t.frame({ type: "REPORT", payload: { peer: "p1", reason: "spam" } });
    t.frame({ type: "REPORT", payload: { peer: "p1", reason: "spam" } });
    await pairWith(t, "p2");
    t.frame({ type: "FIND", payload: { pool: "q" } }); // Next: p2 left now
    t.advance(60_001);
    t.frame({ type: "REPORT", payload: { peer: "p2", reason: "spam" } });
    await settle();
    assert.deepEqual(rejections(t.socket), ["not_partner", "not_partner", "invalid_reason", "already_reported", "not_partner"]);
    assert.equal((await t.safety.reports(t.now(), 10)).length, 1);
    assert.equal(t.socket.closedWith, null);
  });

  test("when the stranger left less than a minute ago, then they may still be reported, once", async () => {
    const t = setup();
    await pairWith(t, "p1");
    t.s.receive({ type: "partner-left", to: "me", partner: "p1", reason: "disconnect" });
    t.advance(59_000);
    t.frame({ type: "REPORT", payload: { peer: "p1", reason: "harassment" } });
    await settle();
    assert.deepEqual(t.socket.sent.at(-1), { type: "REPORTED", payload: { peer: "p1" } });
  });
});
