/**
 * The proof-of-work challenge end to end: required, solved with the page's
 * own solver (ui/pow.ts), single-use, expiring, tamper-proof; and when
 * --challenge auto asks for it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Challenge, decodeChallenge } from "../src/protocol/index.ts";
import { CHALLENGE } from "../src/safety/challenge.ts";
import { solveHere } from "../ui/pow.ts";
import { connect } from "./support/client.ts";
import { withServer } from "./support/server.ts";
import { askIdentity, http } from "./support/visitors.ts";

const post = (server: Parameters<typeof http>[0], body?: unknown) => http(server, "POST", "/api/identity", { body });

describe("challenge", () => {
  test("when --challenge always, then an identity needs a solved challenge, and a solution is accepted once", async (t) => {
    const server = await withServer(t, { challenge: "always" });
    const asked = await post(server);
    assert.equal(asked.status, 428);
    assert.equal(asked.body.error, "challenge_required");
    const challenge = decodeChallenge(asked.body.challenge);
    assert.ok(challenge, "the challenge has the documented shape");
    assert.equal(challenge.parameters.algorithm, CHALLENGE.algorithm);
    const answer = await solveHere(challenge);
    const issued = await post(server, answer);
    assert.equal(issued.status, 201);
    assert.match(issued.body.id, /^[0-9a-f-]{36}$/);
    const replayed = await post(server, answer);
    assert.deepEqual([replayed.status, replayed.body.error], [403, "challenge_used"]);
  });

  test("when a challenge is solved after it expired, then it is refused", async (t) => {
    let clock = Date.now();
    const server = await withServer(t, { challenge: "always" }, { now: () => clock });
    const answer = await solveHere(decodeChallenge((await post(server)).body.challenge)!);
    clock += CHALLENGE.ttlMs + 1000; // expiry is kept in whole seconds
    const late = await post(server, answer);
    assert.deepEqual([late.status, late.body.error], [403, "challenge_expired"]);
  });

  test("when an answer is forged or tampered with, then it is refused without an identity, and malformed bodies get 400", async (t) => {
    const server = await withServer(t, { challenge: "always" });
    const challenge = decodeChallenge((await post(server)).body.challenge)!;
    const answer = await solveHere(challenge);
    const cheaper: Challenge = { ...challenge, parameters: { ...challenge.parameters, cost: 1 } };
    // The derived key is the proof (its HMAC is in the signed challenge); the counter only says where it was found.
    const forged = [
      { ...answer, solution: { ...answer.solution, derivedKey: "00".repeat(32) } },
      { ...answer, solution: { ...answer.solution, derivedKey: answer.solution.derivedKey.slice(2) } },
      { ...answer, challenge: cheaper },
      { ...answer, challenge: { ...challenge, signature: "ab".repeat(32) } },
    ];
    for (const body of forged) {
      const refused = await post(server, body);
      assert.deepEqual([refused.status, refused.body.error], [403, "challenge_invalid"], JSON.stringify(body).slice(0, 80));
    }
    for (const body of ["{not json", { challenge: 1 }, [answer], { ...answer, solution: { counter: -1, derivedKey: "00" } }]) {
      assert.equal((await post(server, body)).status, 400);
    }
    assert.equal((await post(server, answer)).status, 201, "the real answer still works once");
  });

  test("when an address floods forged answers, then they use up its identity budget: 429, not a verification each", async (t) => {
    const server = await withServer(t, { challenge: "always", identitiesPerMinute: 3 });
    const answer = await solveHere(decodeChallenge((await post(server)).body.challenge)!);
    const forged = { ...answer, solution: { ...answer.solution, derivedKey: "00".repeat(32) } };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(server, forged)).status);
    assert.deepEqual(statuses, [403, 403, 429, 429], "the first request (the challenge) took one of the three");
    assert.equal((await post(server, answer)).status, 429, "even a real answer waits its turn");
  });

  test("when --challenge auto and the server is quiet, then nobody is challenged; past --challenge-above a minute, everyone is", async (t) => {
    const server = await withServer(t, { trustProxy: "loopback", challengeAbove: 3 });
    const from = (n: number) => ({ forwardedFor: `203.0.113.${n}` });
    for (let n = 1; n <= 3; n++) assert.equal((await askIdentity(server, from(n))).challenged, false);
    const busy = await askIdentity(server, from(4));
    assert.deepEqual([busy.status, busy.challenged], [201, true]);
  });

  test("when --challenge off, then nobody is challenged, however busy or suspect", async (t) => {
    let clock = Date.now();
    const server = await withServer(t, { challenge: "off", challengeAbove: 1, identitiesPerMinute: 2 }, { now: () => clock });
    for (let i = 0; i < 2; i++) assert.equal((await post(server)).status, 201);
    assert.equal((await post(server)).status, 429, "tripped a limit: suspect");
    clock += 60_000;
    assert.equal((await post(server)).status, 201);
    await connect(t, server);
  });
});
