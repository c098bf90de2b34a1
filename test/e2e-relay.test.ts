/**
 * Privacy through the TURN relay, end to end: real Chromium pages, a real
 * `chatroulette serve`, and Debian's coturn started here on loopback. Each
 * page records every frame its signaling socket sends and receives, and
 * every RTCPeerConnection it makes, so the test sees what crossed the
 * signaling server and which candidate pair each connection selected.
 */
import assert from "node:assert/strict";
import { after, before, describe, test, type TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type Coturn, coturnMissing, startCoturn } from "../dev/coturn.ts";
import { browserMissing, launch, playing, visitor } from "./support/browser.ts";
import { serveCli } from "./support/cli.ts";

/** No consent screen in these tests (test/e2e-safety.test.ts has it). */
const NO_CONSENT = ["--min-age", "0"];

const missing = browserMissing() ?? coturnMissing();

/** Installed before the page's scripts: the socket's frames both ways, and every peer connection. */
const TAP = `(() => {
  const frames = [];
  const connections = [];
  window.__tap = { frames, connections };
  const NativeSocket = WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => frames.push(String(event.data)));
    }
    send(data) {
      frames.push(String(data));
      return super.send(data);
    }
  };
  const NativeConnection = RTCPeerConnection;
  window.RTCPeerConnection = class extends NativeConnection {
    constructor(...args) {
      super(...args);
      connections.push(this);
    }
  };
})();`;

/**
 * Every ICE candidate that crossed the page's signaling socket, in CANDIDATE
 * frames or inside an offer's or answer's SDP; `sent`: only those the page
 * sent (frames from the server carry `src`).
 */
async function signaledCandidates(page: Page, { sent = false } = {}): Promise<string[]> {
  const frames = await page.evaluate(() => (window as unknown as { __tap: { frames: string[] } }).__tap.frames);
  const candidates: string[] = [];
  for (const text of frames) {
    const frame = JSON.parse(text) as { type?: string; src?: string; payload?: { candidate?: { candidate?: string }; sdp?: { sdp?: string } } };
    if (sent && frame.src) continue;
    if (frame.type === "CANDIDATE" && frame.payload?.candidate?.candidate) candidates.push(frame.payload.candidate.candidate);
    if ((frame.type === "OFFER" || frame.type === "ANSWER") && frame.payload?.sdp?.sdp) {
      candidates.push(...frame.payload.sdp.sdp.split(/\r?\n/).filter((l) => l.startsWith("a=candidate:")).map((l) => l.slice(2)));
    }
  }
  return candidates;
}

/** The candidate types of the pair each connected RTCPeerConnection of the page selected. */
function selectedPairs(page: Page): Promise<Array<{ local: string; remote: string }>> {
  return page.evaluate(async () => {
    const { connections } = (window as unknown as { __tap: { connections: RTCPeerConnection[] } }).__tap;
    const pairs = [];
    for (const pc of connections.filter((c) => c.connectionState === "connected")) {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      const transport = [...stats.values()].find((s) => s.type === "transport" && s.selectedCandidatePairId);
      const pair = stats.get(transport?.selectedCandidatePairId as string);
      pairs.push({
        local: String(stats.get(pair?.localCandidateId as string)?.candidateType),
        remote: String(stats.get(pair?.remoteCandidateId as string)?.candidateType),
      });
    }
    return pairs;
  });
}

const connected = (page: Page) =>
  page.waitForFunction(() => document.getElementById("peerStatus")?.dataset.state === "connected", undefined, { timeout: 15_000, polling: 20 });
const routed = (page: Page, value: string) =>
  page.waitForFunction((v) => document.getElementById("peerStatus")?.dataset.route === v, value, { timeout: 10_000, polling: 50 });

async function tapped(t: TestContext, browser: Browser, url: string): Promise<Page> {
  const { page } = await visitor(t, browser, "about:blank");
  await page.addInitScript({ content: TAP });
  await page.goto(url);
  return page;
}

/** Candidates that would tell a stranger where this visitor is: host and server-reflexive ones, or a relay's related address. */
function revealing(candidates: readonly string[]): string[] {
  return candidates.filter((c) => !/ typ relay /.test(c) || !/ raddr 0\.0\.0\.0 rport 0/.test(c));
}

describe("the TURN relay in Chromium", { skip: missing ?? false }, () => {
  let browser: Browser;
  let turn: Coturn;
  before(async () => {
    [browser, turn] = await Promise.all([launch(), startCoturn()]);
  });
  after(async () => {
    await browser?.close();
    await turn?.stop();
  });

  test("when the server is --relay-only, then both videos play through coturn, both sides select relay pairs, and no host or srflx candidate crosses the server", async (t) => {
    const server = await serveCli(t, [...NO_CONSENT, "--turn-url", turn.url, "--turn-secret", turn.secret, "--relay-only"]);
    const [a, b] = [await tapped(t, browser, server.url), await tapped(t, browser, server.url)];
    await Promise.all([connected(a), connected(b)]);
    await Promise.all([playing(a), playing(b)]);
    await Promise.all([routed(a, "relay"), routed(b, "relay")]);
    assert.match(await a.textContent("#peerStatus") ?? "", /via relay/);
    assert.equal(await a.$("#hideIp"), null, "nothing to choose when the operator forces the relay");
    for (const page of [a, b]) {
      const pairs = await selectedPairs(page);
      assert.ok(pairs.length >= 2, "the data and the media connection are both up");
      assert.deepEqual(pairs.filter((p) => p.local !== "relay"), [], JSON.stringify(pairs));
      const candidates = await signaledCandidates(page);
      assert.ok(candidates.length > 0, "candidates were exchanged");
      assert.deepEqual(revealing(candidates), []);
    }
    assert.match(turn.log(), /ALLOCATE processed, success/, "coturn granted the allocations");
  });

  test("when TURN is optional and a visitor hides their IP, then the choice is remembered and their connections use only the relay", async (t) => {
    const server = await serveCli(t, [...NO_CONSENT, "--turn-url", turn.url, "--turn-secret", turn.secret]);
    const a = await tapped(t, browser, server.url);
    await a.check("#hideIp");
    await a.reload();
    assert.equal(await a.isChecked("#hideIp"), true, "remembered across a reload");
    const b = await tapped(t, browser, server.url);
    assert.equal(await b.isChecked("#hideIp"), false, "off unless chosen");
    await Promise.all([connected(a), connected(b)]);
    await Promise.all([playing(a), playing(b)]);
    await Promise.all([routed(a, "relay"), routed(b, "relay")]);
    // What A's page sent: candidates A gathered. B, not hiding, may send its own host candidates.
    const fromA = await signaledCandidates(a, { sent: true });
    assert.ok(fromA.length > 0);
    assert.deepEqual(revealing(fromA), []);
    assert.deepEqual((await selectedPairs(a)).filter((p) => p.local !== "relay"), []);
    // The check sees what a visitor who does not hide gives away: B's own host candidates.
    const fromB = await signaledCandidates(b, { sent: true });
    assert.ok(revealing(fromB).some((c) => / typ host /.test(c)), fromB.join("\n"));
  });

  test("when the server has no TURN, then the call is direct, the page says nothing of a relay, and offers no choice", async (t) => {
    const server = await serveCli(t, NO_CONSENT);
    const [a, b] = [await tapped(t, browser, server.url), await tapped(t, browser, server.url)];
    await Promise.all([connected(a), connected(b)]);
    await routed(a, "direct");
    assert.doesNotMatch(await a.textContent("#peerStatus") ?? "", /relay/);
    assert.equal(await a.$("#hideIp"), null);
    await routed(b, "direct");
  });
});
