/**
 * Reports and bans end to end: a real server (createServer on port 0,
 * --trust-proxy loopback) and raw protocol clients from distinct addresses
 * (X-Forwarded-For), a clock the test moves for expiry.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { socketUrl } from "./support/client.ts";
import { withServer } from "./support/server.ts";
import { askIdentity, meet, refusedSocket, visit } from "./support/visitors.ts";

const at = (n: number) => ({ forwardedFor: `203.0.113.${n}` });
const BAD = { forwardedFor: "198.51.100.9" };
const DAY = 86_400_000;

describe("reports and bans", () => {
  test("when three distinct addresses report a visitor, then it is banned: its sockets close, partners are told, identity and upgrade say until when; a second ban lasts twice as long", async (t) => {
    let clock = Date.now();
    const server = await withServer(t, { trustProxy: "loopback" }, { now: () => clock });
    const target = await visit(t, server, BAD);
    const tab = await visit(t, server, BAD); // the same visitor in another tab, with a partner of its own
    const witness = await visit(t, server, at(100));
    await meet(tab, witness, "elsewhere");
    const spare = (await askIdentity(server, BAD)).body; // an identity issued before the ban

    for (const n of [1, 2, 3]) {
      const reporter = await visit(t, server, at(n));
      await meet(target, reporter, `round-${n}`);
      reporter.send({ type: "REPORT", payload: { peer: target.id, reason: "nudity" } });
      assert.deepEqual((await reporter.next("REPORTED")).payload, { peer: target.id });
      if (n < 3) assert.deepEqual((await target.next("PARTNER-LEFT")).payload, { peer: reporter.id, reason: "next" }, "told as for Next");
    }
    const closed = await target.closed;
    assert.equal(closed.code, 4003);
    assert.match(closed.reason, /^banned until \d{4}-\d\d-\d\dT/);
    assert.equal((await tab.closed).code, 4003);
    assert.deepEqual((await witness.next("PARTNER-LEFT")).payload, { peer: tab.id, reason: "disconnect" });

    const identity = await askIdentity(server, BAD);
    assert.equal(identity.status, 403);
    assert.equal(identity.body.error, "banned");
    assert.equal(Date.parse(identity.body.until), clock + DAY);
    assert.match(identity.body.message, /until \d{4}-/);
    const upgrade = await refusedSocket(socketUrl(server, spare.id, spare.token), BAD);
    assert.deepEqual([upgrade.status, upgrade.body.error, upgrade.body.until], [403, "banned", identity.body.until]);
    assert.equal((await askIdentity(server, at(50))).status, 201, "everyone else is still served");

    clock += DAY; // the ban's time is up
    const back = await visit(t, server, BAD);
    back.find("public");
    await back.next("WAITING");

    // Banned again within 30 days (by three new reporters): twice as long.
    for (const n of [4, 5, 6]) {
      const reporter = await visit(t, server, at(n));
      await meet(back, reporter, `again-${n}`);
      reporter.send({ type: "REPORT", payload: { peer: back.id, reason: "harassment" } });
      await reporter.next("REPORTED");
    }
    assert.equal((await back.closed).code, 4003);
    assert.equal(Date.parse((await askIdentity(server, BAD)).body.until), clock + 2 * DAY);
  });

  test("when one address reports the same visitor from three tabs, then it counts once and nobody is banned", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback" });
    const pairs = [];
    for (const pool of ["a", "b", "c"]) {
      const [reporter, target] = [await visit(t, server, at(7)), await visit(t, server, BAD)];
      await meet(reporter, target, pool);
      pairs.push([reporter, target]);
    }
    const answers = [];
    for (const [reporter, target] of pairs) {
      reporter.send({ type: "REPORT", payload: { peer: target.id, reason: "spam" } });
      const frame = await Promise.race([reporter.next("REPORTED"), reporter.next("REJECTED")]);
      answers.push(frame.type === "REJECTED" ? frame.payload.code : frame.type);
    }
    assert.deepEqual(answers, ["REPORTED", "already_reported", "already_reported"]);
    assert.equal((await askIdentity(server, BAD)).status, 201, "not banned");
    // And the two addresses are not paired again.
    const [again, other] = [await visit(t, server, at(7)), await visit(t, server, BAD)];
    again.find("d");
    await again.next("WAITING");
    other.find("d");
    await other.next("WAITING");
  });

  test("when REPORT frames are bad, flood in, or name strangers, then each is refused and nobody is banned", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback" });
    const [a, b] = [await visit(t, server, at(1)), await visit(t, server, at(2))];
    const victim = await visit(t, server, at(3));
    await meet(a, b);
    const sends = [
      { type: "REPORT", payload: { peer: b.id, reason: "ugly" } },
      { type: "REPORT", payload: { peer: "not a name!", reason: "spam" } },
      { type: "REPORT" },
      { type: "REPORT", payload: { peer: a.id, reason: "spam" } },
    ];
    for (const frame of sends) a.send(frame);
    for (let i = 0; i < 40; i++) a.send({ type: "REPORT", payload: { peer: victim.id, reason: "spam" } });
    const codes = [];
    for (let i = 0; i < sends.length + 40; i++) codes.push((await a.next("REJECTED")).payload.code);
    assert.deepEqual(codes.slice(0, 4), ["invalid_reason", "invalid_message", "invalid_message", "not_partner"]);
    assert.ok(codes.slice(4).every((c) => c === "not_partner"));
    victim.find();
    await victim.next("WAITING");
    assert.equal((await askIdentity(server, at(3))).status, 201);
  });
});
