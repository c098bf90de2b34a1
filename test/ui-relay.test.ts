/**
 * The page and the TURN relay, with fakes of the browser: the "Hide my IP
 * address" choice (ui/model/privacy.ts), the call's route from getStats
 * (ui/model/route.ts), the RTCConfiguration peerjs is given
 * (ui/peer-client.ts), and identities renewed before their TURN credentials
 * expire (ui/model/connection.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Peer } from "peerjs";
import type { ClientConfig, Identity } from "../src/protocol/index.ts";
import { RENEW_BEFORE_MS } from "../ui/model/connection.ts";
import { createPrivacyModel, HIDE_IP_KEY } from "../ui/model/privacy.ts";
import { ROUTE_POLL_MS, routeOf } from "../ui/model/route.ts";
import { identityRequester, peerSignaling, type SignalingEvents } from "../ui/peer-client.ts";
import { settle } from "./fakes/browser.ts";
import { paired, setup } from "./fakes/page.ts";

/** localStorage, faked; `broken` throws as a browser does when storage is blocked. */
function fakeStorage(initial: Record<string, string> = {}, broken = false) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => {
      if (broken) throw new DOMException("blocked", "SecurityError");
      return items.get(key) ?? null;
    },
    setItem: (key: string, value: string) => {
      if (broken) throw new DOMException("blocked", "SecurityError");
      items.set(key, value);
    },
  };
}

describe("hide my IP address", () => {
  test("when TURN is optional, then the choice is offered, off by default, and remembered", () => {
    const storage = fakeStorage();
    const privacy = createPrivacyModel({ relay: "optional", storage });
    assert.equal(privacy.offered, true);
    assert.equal(privacy.hidden.value, false);
    privacy.setHidden(true);
    assert.equal(privacy.hidden.value, true);
    assert.equal(storage.items.get(HIDE_IP_KEY), "1");
    assert.equal(createPrivacyModel({ relay: "optional", storage }).hidden.value, true, "the next page load remembers");
  });

  test("when the relay is forced or unavailable, then there is nothing to choose", () => {
    const forced = createPrivacyModel({ relay: "forced", storage: fakeStorage() });
    assert.deepEqual([forced.offered, forced.hidden.value], [false, true]);
    forced.setHidden(false);
    assert.equal(forced.hidden.value, true);
    const none = createPrivacyModel({ relay: "unavailable", storage: fakeStorage({ [HIDE_IP_KEY]: "1" }) });
    assert.deepEqual([none.offered, none.hidden.value], [false, false], "an old choice cannot ask for a relay that is not there");
  });

  test("when storage is blocked, then the choice still holds for the page", () => {
    const privacy = createPrivacyModel({ relay: "optional", storage: fakeStorage({}, true) });
    privacy.setHidden(true);
    assert.equal(privacy.hidden.value, true);
  });
});

describe("the call's route", () => {
  const candidate = (id: string, type: string, candidateType: string) => ({ id, type, candidateType });
  const report = (...stats: Array<Record<string, unknown>>) => new Map(stats.map((s) => [s.id as string, s]));

  test("when the transport names its selected pair, then a relay candidate on either end makes it relay", () => {
    const stats = (local: string, remote: string) =>
      report(
        { id: "T1", type: "transport", selectedCandidatePairId: "P2" },
        { id: "P1", type: "candidate-pair", localCandidateId: "L1", remoteCandidateId: "R1" },
        { id: "P2", type: "candidate-pair", localCandidateId: "L2", remoteCandidateId: "R2" },
        candidate("L1", "local-candidate", "host"),
        candidate("R1", "remote-candidate", "host"),
        candidate("L2", "local-candidate", local),
        candidate("R2", "remote-candidate", remote),
      );
    assert.equal(routeOf(stats("relay", "prflx")), "relay");
    assert.equal(routeOf(stats("host", "relay")), "relay");
    assert.equal(routeOf(stats("srflx", "host")), "direct");
  });

  test("when only the pair says it is selected (older libwebrtc), or nothing is selected yet, then that is read too", () => {
    const old = report(
      { id: "P1", type: "candidate-pair", localCandidateId: "L1", remoteCandidateId: "R1", nominated: true, state: "succeeded" },
      candidate("L1", "local-candidate", "relay"),
      candidate("R1", "remote-candidate", "relay"),
    );
    assert.equal(routeOf(old), "relay");
    assert.equal(routeOf(report({ id: "T1", type: "transport" }, { id: "P1", type: "candidate-pair", state: "in-progress" })), null);
  });

  test("when a call's media arrives, then the route is read from its stats, kept fresh, and cleared with the stranger", async () => {
    const { page, call, timers } = await paired();
    await settle(); // the first read, before any pair is selected
    assert.equal(page.route.value, null);
    call.report = [
      { id: "T", type: "transport", selectedCandidatePairId: "P" },
      { id: "P", type: "candidate-pair", localCandidateId: "L", remoteCandidateId: "R" },
      candidate("L", "local-candidate", "host"),
      candidate("R", "remote-candidate", "host"),
    ];
    await timers.advance(ROUTE_POLL_MS);
    assert.equal(page.route.value, "direct");
    call.report = [...call.report.slice(0, 2), candidate("L", "local-candidate", "relay"), candidate("R", "remote-candidate", "host")];
    await timers.advance(ROUTE_POLL_MS);
    assert.equal(page.route.value, "relay", "ICE moved to another pair");
    page.next();
    assert.equal(page.route.value, null);
  });
});

describe("the page's RTCConfiguration", () => {
  const CONFIG: ClientConfig = {
    path: "/signaling/",
    key: "peerjs",
    iceServers: [{ urls: "stun:s.example" }],
    maxMessageLength: 1000,
    relay: "optional",
    minAge: 0,
    rules: "",
    nextLimit: { burst: 10, perMinute: 30 },
    preferences: false,
  };
  const TURN = { urls: ["turn:t.example:3478"], username: "1767225600:me", credential: "c2VjcmV0" };

  /** peerjs's Peer, faked: keeps the options it was given. */
  function fakePeer() {
    const options: Array<{ config: RTCConfiguration }> = [];
    class FakePeer {
      socket = { on() {}, send() {} };
      constructor(_id: string, given: { config: RTCConfiguration }) {
        options.push(given);
      }
      on() {}
      destroy() {}
    }
    return { Peer: FakePeer as unknown as typeof Peer, options };
  }
  const events = {} as SignalingEvents;
  const location = { protocol: "https:", hostname: "chat.example", port: "" };

  test("when the identity brings ICE servers, then they replace the config's; the relay policy is read at each new connection", () => {
    const { Peer, options } = fakePeer();
    let hide = false;
    const open = peerSignaling(Peer, CONFIG, location, { relayOnly: () => hide });
    open({ id: "me", token: "t", iceServers: [{ urls: "stun:s.example" }, TURN], expiresIn: 3600 }, events);
    const rtc = options[0].config;
    assert.deepEqual(rtc.iceServers, [{ urls: "stun:s.example" }, TURN]);
    assert.equal(rtc.iceTransportPolicy, "all");
    hide = true;
    assert.equal(rtc.iceTransportPolicy, "relay", "the next stranger's connection is relayed");
    open({ id: "me2", token: "t" }, events);
    assert.deepEqual(options[1].config.iceServers, CONFIG.iceServers, "without TURN, the config's servers");
  });

  test("when the server forces the relay, then every connection is relayed whatever the visitor chose", () => {
    const { Peer, options } = fakePeer();
    peerSignaling(Peer, { ...CONFIG, relay: "forced" }, location, { relayOnly: () => false })({ id: "me", token: "t" }, events);
    assert.equal(options[0].config.iceTransportPolicy, "relay");
  });

  test("when the identity answer is not one, then it is refused rather than used", async (t) => {
    const real = globalThis.fetch;
    t.after(() => globalThis.fetch = real);
    for (const body of [{ id: "me" }, { id: "me", token: "t", iceServers: [{ urls: "http://x" }], expiresIn: 60 }, { id: "me", token: "t", iceServers: [TURN] }]) {
      globalThis.fetch = (async () => new Response(JSON.stringify(body), { status: 201 })) as typeof fetch;
      await assert.rejects(identityRequester("")(), /not an identity/, JSON.stringify(body));
    }
  });
});

describe("renewing an identity before its TURN credentials expire", () => {
  const turnIdentity = (id: string): Identity => ({ id, token: "t", iceServers: [{ urls: "turn:t.example", username: "u", credential: "c" }], expiresIn: 3600 });

  /** A page online with an identity whose TURN credentials last an hour; each new identity is me-1, me-2, … */
  async function onlineWithTurn() {
    let n = 0;
    const s = setup({ identity: async () => turnIdentity(`me-${++n}`) });
    s.page.start();
    await settle();
    s.client().on.open();
    return s;
  }

  test("when the credentials near their end during a call, then the next search starts with a fresh identity", async () => {
    const s = await onlineWithTurn();
    s.client().on.match({ peer: "p1", role: "caller" });
    s.client().data[0].h.open!();
    await s.timers.advance(3600_000 - RENEW_BEFORE_MS + 1);
    assert.equal(s.clients.length, 1, "a call in progress keeps its socket");
    s.page.next();
    await settle();
    assert.equal(s.clients.length, 2);
    assert.equal(s.clients[0].destroyed, true);
    assert.equal(s.clients[0].finds, 1, "the stale socket did not search again");
    assert.equal(s.client().identity.id, "me-2");
    s.client().on.open();
    assert.equal(s.client().finds, 1);
    assert.equal(s.page.peerState.value, "waiting");
  });

  test("when the credentials near their end while waiting, then the page reconnects at once; without TURN it never does", async () => {
    const s = await onlineWithTurn();
    await s.timers.advance(3600_000 - RENEW_BEFORE_MS - 1);
    assert.equal(s.clients.length, 1);
    await s.timers.advance(2);
    assert.equal(s.clients.length, 2);
    assert.equal(s.client().identity.id, "me-2");

    const plain = setup();
    plain.page.start();
    await settle();
    plain.client().on.open();
    await plain.timers.advance(48 * 3600_000);
    assert.equal(plain.clients.length, 1);
  });
});
