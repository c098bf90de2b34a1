/**
 * Per-address limits end to end: sockets per address, identities per
 * address per minute, Next presses per visitor; each holds for the address
 * that trips it while other addresses are still served. Clients bind real
 * loopback addresses (127.0.0.2, …) or come through a trusted proxy.
 */
import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { describe, test, type TestContext } from "node:test";
import { identity, open, signal, socketUrl } from "./support/client.ts";
import { RETRY_MARGIN_MS } from "../ui/model/connection.ts";
import { type RunningServer, withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";
import { askIdentity, http, meet, refusedSocket, visit } from "./support/visitors.ts";

describe("per-address limits", () => {
  test("when an address holds --max-per-address sockets, then its next upgrade gets 429 too_many_connections while another address is admitted", async (t) => {
    const server = await withServer(t, { maxPerAddress: 2 });
    const two = { local: "127.0.0.2" };
    const first = await visit(t, server, two);
    await visit(t, server, two);
    const { id, token } = await identity(server);
    const refused = await refusedSocket(socketUrl(server, id, token), two);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, "too_many_connections");
    await visit(t, server, { local: "127.0.0.3" });
    first.close();
    await waitFor(async () => (await (await fetch(`${server.origin}/api/stats`)).json()).online === 2);
    await visit(t, server, two);
  });

  test("when an address asks for identities faster than --identities-per-minute, then it gets 429 with Retry-After, others are served, and it is let in again later", async (t) => {
    let clock = Date.now();
    const server = await withServer(t, { identitiesPerMinute: 3, challenge: "off" }, { now: () => clock });
    const from = { local: "127.0.0.2" };
    for (let i = 0; i < 3; i++) assert.equal((await askIdentity(server, from)).status, 201);
    const refused = await askIdentity(server, from);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers["retry-after"], "20");
    assert.deepEqual([refused.body.error, refused.body.retryAfter], ["rate_limited", 20]);
    assert.equal((await askIdentity(server, { local: "127.0.0.3" })).status, 201, "another address is served");
    clock += 20_000;
    assert.equal((await askIdentity(server, from)).status, 201);
  });

  test("when an address tripped a limit, then under --challenge auto its next identity needs a challenge solved", async (t) => {
    let clock = Date.now();
    const server = await withServer(t, { identitiesPerMinute: 2 }, { now: () => clock });
    const from = { local: "127.0.0.2" };
    for (let i = 0; i < 2; i++) assert.equal((await http(server, "POST", "/api/identity", { localAddress: from.local })).status, 201);
    assert.equal((await http(server, "POST", "/api/identity", { localAddress: from.local })).status, 429);
    clock += 60_000;
    const challenged = await askIdentity(server, from);
    assert.deepEqual([challenged.status, challenged.challenged], [201, true]);
    const other = await askIdentity(server, { local: "127.0.0.3" });
    assert.deepEqual([other.status, other.challenged], [201, false], "others are not challenged");
  });

  test("when a visitor presses Next past its burst, then the press is refused with REJECTED rate_limited and the pair and socket stay", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback", nextBurst: 1, nextPerMinute: 6 });
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => visit(t, server, { forwardedFor: `203.0.113.${n}` })));
    a.find();
    await a.next("WAITING");
    b.find();
    await Promise.all([a.next("MATCH"), b.next("MATCH")]);
    a.find(); // Next: the burst
    await Promise.all([a.next("WAITING"), b.next("PARTNER-LEFT")]);
    c.find();
    await Promise.all([a.next("MATCH"), c.next("MATCH")]);
    a.find(); // past the burst
    const rejected = await a.next("REJECTED");
    assert.deepEqual(rejected.payload, { code: "rate_limited", msg: "Next is limited; try again in 10 s.", retryAfter: 10 });
    a.send(signal("OFFER", c.id)); // relayed only between partners: the pair stays, the socket is served
    assert.equal((await c.next("OFFER")).src, a.id);
    assert.ok(!c.frames.some((f) => f.type === "PARTNER-LEFT"));
  });
});

describe("Next limit across reconnects and reports", () => {
  /** The visitor of `id`/`token` opening a socket from `address` (X-Forwarded-For, --trust-proxy loopback). */
  const from = (t: TestContext, server: RunningServer, { id, token }: { id: string; token: string }) => (address: string) =>
    open(t, socketUrl(server, id, token), id, { headers: { "X-Forwarded-For": address } }, token);
  const ratelimited = (frame: { payload: { code: string; retryAfter?: number } }, most: number) => {
    assert.equal(frame.payload.code, "rate_limited");
    assert.ok(frame.payload.retryAfter! >= 1 && frame.payload.retryAfter! <= most, `retryAfter ${frame.payload.retryAfter}`);
    return frame.payload.retryAfter!;
  };

  test("when a visitor leaves strangers by closing its socket and coming back, then each time is a Next: past the burst its FIND waits for the budget, once, and it can still report the stranger it had", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback", nextBurst: 1, nextPerMinute: 12 }); // a token every 5 s
    const me = (await askIdentity(server, { forwardedFor: "203.0.113.1" })).body as { id: string; token: string };
    const back = () => from(t, server, me)("203.0.113.1");
    const [b, c] = await Promise.all([2, 3].map((n) => visit(t, server, { forwardedFor: `203.0.113.${n}` })));
    let a = await back();
    await meet(a, b);
    a.close(); // leaves b: the burst
    await b.next("PARTNER-LEFT");
    a = await back();
    await meet(a, c);
    a.close(); // leaves c, past the burst
    await c.next("PARTNER-LEFT");
    a = await back();
    a.find();
    const wait = ratelimited(await a.next("REJECTED"), 5);
    a.send({ type: "REPORT", payload: { peer: c.id, reason: "harassment" } });
    assert.deepEqual((await a.next("REPORTED")).payload, { peer: c.id }, "whom it met came back with it");
    // What the page does, as told: it waits retryAfter, then asks again.
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + RETRY_MARGIN_MS));
    a.find();
    await a.next("WAITING");
  });

  test("when a visitor's socket is taken over from another address, then the takeover costs nothing, its stranger may be reported from there, and its budget follows it across addresses", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback", nextBurst: 1, nextPerMinute: 6 });
    const me = from(t, server, (await askIdentity(server, { forwardedFor: "203.0.113.1" })).body as { id: string; token: string });
    const [b, c] = await Promise.all([2, 3].map((n) => visit(t, server, { forwardedFor: `203.0.113.${n}` })));
    const home = await me("203.0.113.1");
    await meet(home, b);
    const phone = await me("198.51.100.7"); // the same page, now on its phone network: the call goes on
    phone.send({ type: "REPORT", payload: { peer: b.id, reason: "harassment" } });
    assert.deepEqual((await phone.next("REPORTED")).payload, { peer: b.id }, "its stranger may be reported from the new address");
    // Left by the report, within the budget (the takeover cost nothing), so the server looks on: reason next.
    assert.deepEqual((await b.next("PARTNER-LEFT")).payload, { peer: phone.id, reason: "next" });
    await phone.next("WAITING");
    phone.close();
    const again = await me("203.0.113.1");
    await meet(again, c); // nothing owed: this FIND is free
    again.close(); // leaves c, past the burst
    await c.next("PARTNER-LEFT");
    const last = await me("198.51.100.7");
    last.find();
    ratelimited(await last.next("REJECTED"), 10);
  });

  test("when a visitor past its Next budget reports its stranger, then the report is filed and the pair ends, and the next stranger is looked for once the budget allows", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback", nextBurst: 1, nextPerMinute: 12 });
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map((n) => visit(t, server, { forwardedFor: `203.0.113.${n}` })));
    await meet(a, b);
    a.find(); // Next: the burst
    await Promise.all([a.next("WAITING"), b.next("PARTNER-LEFT")]);
    c.find("public");
    await Promise.all([a.next("MATCH"), c.next("MATCH")]);
    d.find("public");
    await d.next("WAITING");
    a.send({ type: "REPORT", payload: { peer: c.id, reason: "harassment" } });
    assert.deepEqual((await a.next("REPORTED")).payload, { peer: c.id });
    // Not looking on, the reporter has stopped, as far as the stranger is told.
    assert.deepEqual((await c.next("PARTNER-LEFT")).payload, { peer: a.id, reason: "stop" });
    const wait = ratelimited(await a.next("REJECTED"), 5);
    assert.ok(await d.none("MATCH"), "nobody is found for it before the wait");
    d.find("public");
    await d.next("WAITING");
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + RETRY_MARGIN_MS));
    a.find("public");
    await Promise.all([a.next("MATCH"), d.next("MATCH")]);
  });
});

describe("per-address limits against malformed upgrades", () => {
  test("when upgrades with valid identities fail the WebSocket handshake, then they do not use up the address's sockets", async (t) => {
    const server = await withServer(t, { maxPerAddress: 2, identitiesPerMinute: 0 });
    const from = { local: "127.0.0.2" };
    for (let i = 0; i < 5; i++) {
      const { id, token } = (await askIdentity(server, from)).body;
      // No Sec-WebSocket-Key: ws answers 400 itself.
      const answer = await rawUpgrade(server.port, `/signaling/peerjs?key=peerjs&id=${id}&token=${token}`, from.local);
      assert.match(answer, /^HTTP\/1\.1 400/);
    }
    await visit(t, server, from);
    await visit(t, server, from);
  });
});

/** Sends an upgrade request without Sec-WebSocket-Key from `localAddress`; resolves with the answer's text. */
function rawUpgrade(port: number, path: string, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1", localAddress }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    let text = "";
    socket.on("data", (chunk) => text += chunk);
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}
