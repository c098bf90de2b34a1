/**
 * The moderator API: off without --admin-token; with it, Bearer-only,
 * every action logged without raw addresses; reports and bans listed, bans
 * imposed (by address key, connected visitor or address) and lifted; bad
 * input refused clearly.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withServer } from "./support/server.ts";
import { askIdentity, http, meet, moderated, TOKEN, visit } from "./support/visitors.ts";

const auth = { Authorization: `Bearer ${TOKEN}` };
const at = (n: number) => ({ forwardedFor: `203.0.113.${n}` });


describe("moderator API", () => {
  test("when no --admin-token is set, then the API does not exist", async (t) => {
    const server = await withServer(t);
    const answer = await http(server, "GET", "/api/admin/bans", { headers: auth });
    assert.deepEqual([answer.status, answer.body.error], [404, "not_found"]);
  });

  test("when the token is missing or wrong, then 401 with WWW-Authenticate, and the attempt is logged", async (t) => {
    const { server, lines } = await moderated(t);
    const tries: Array<Record<string, string>> = [{}, { Authorization: "Bearer wrong-token-0123456789" }, { Authorization: TOKEN }, { Authorization: `Basic ${TOKEN}` }];
    for (const headers of tries) {
      const answer = await http(server, "GET", "/api/admin/bans", { headers });
      assert.deepEqual([answer.status, answer.body.error], [401, "unauthorized"]);
      assert.match(String(answer.headers["www-authenticate"]), /^Bearer/);
    }
    assert.equal(lines.filter((l) => /admin: refused GET \/bans from address [0-9a-f]{8}: (no|wrong) token/.test(l)).length, 4);
  });

  test("when a visitor is reported and a moderator bans it by id, then its socket closes, its partner is told, and it is refused until unbanned", async (t) => {
    const { server, admin, lines } = await moderated(t);
    const [reporter, bad, partner] = [await visit(t, server, at(1)), await visit(t, server, at(2)), await visit(t, server, at(3))];
    await meet(reporter, bad, "r");
    reporter.send({ type: "REPORT", payload: { peer: bad.id, reason: "harassment" } });
    await reporter.next("REPORTED");
    await bad.next("PARTNER-LEFT");
    await meet(bad, partner, "p");

    const { body: { reports } } = await admin("GET", "/reports");
    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.deepEqual(Object.keys(report).sort(), ["at", "peer", "reason", "reported", "reporter"]);
    assert.deepEqual([report.peer, report.reason], [bad.id, "harassment"]);
    assert.match(report.reported, /^[0-9a-f]{32}$/);

    const banned = await admin("POST", "/bans", { peer: bad.id, duration: "2h", note: "harassed three people" });
    assert.equal(banned.status, 201);
    assert.deepEqual([banned.body.ban.key, banned.body.ban.by, banned.body.ban.note], [report.reported, "moderator", "harassed three people"]);
    assert.equal(Date.parse(banned.body.ban.until) - Date.parse(banned.body.ban.since), 7_200_000);
    assert.equal((await bad.closed).code, 4003);
    assert.deepEqual((await partner.next("PARTNER-LEFT")).payload, { peer: bad.id, reason: "disconnect" });
    assert.equal((await askIdentity(server, at(2))).status, 403);
    assert.deepEqual((await admin("GET", "/bans")).body.bans.map((b: { key: string }) => b.key), [report.reported]);

    assert.deepEqual((await admin("DELETE", `/bans/${report.reported}`)).body, { unbanned: report.reported });
    assert.equal((await askIdentity(server, at(2))).status, 201);
    assert.equal((await admin("DELETE", `/bans/${report.reported}`)).status, 404);

    const logged = lines.join("\n");
    assert.match(logged, /admin: POST \/bans by token, from address [0-9a-f]{8}/);
    assert.match(logged, /admin: banned address [0-9a-f]{8} until/);
    assert.match(logged, /admin: unbanned address/);
    assert.doesNotMatch(logged, /203\.0\.113\./, "no raw address is logged");
  });

  test("when a moderator bans an address, then visitors from it are refused; by key, likewise", async (t) => {
    const { server, admin } = await moderated(t);
    assert.equal((await admin("POST", "/bans", { address: "203.0.113.9", duration: 3600 })).status, 201);
    const refused = await askIdentity(server, at(9));
    assert.deepEqual([refused.status, refused.body.error], [403, "banned"]);
    const key = "ab".repeat(16);
    assert.equal((await admin("POST", "/bans", { key })).status, 201, "24 h by default");
    const bans = (await admin("GET", "/bans")).body.bans;
    assert.equal(bans.length, 2);
    assert.doesNotMatch(JSON.stringify(bans), /203\.0\.113/, "the address is not kept");
  });

  test("when a ban request is malformed, then 400 or 404 says what is wrong, and nothing is banned", async (t) => {
    const { admin } = await moderated(t);
    const cases: Array<[unknown, number, RegExp]> = [
      [{ key: "ab".repeat(16), duration: "forever" }, 400, /duration: expected a duration from 60 s to 8760 h/],
      [{ key: "ab".repeat(16), duration: "30s" }, 400, /duration/],
      [{ key: "ab".repeat(16), note: "x".repeat(501) }, 400, /note: expected text of at most 500/],
      [{ key: "not-a-key" }, 400, /key: expected an address key/],
      [{ key: "ab".repeat(16), peer: "x" }, 400, /exactly one of key/],
      [{}, 400, /exactly one of key/],
      [{ address: "example.org" }, 400, /address: expected an IPv4 or IPv6/],
      [{ peer: "nobody-here" }, 404, /no visitor with that id/],
      ["[1,2]", 400, /JSON object/],
      ["{oops", 400, /./],
    ];
    for (const [body, status, message] of cases) {
      const answer = await admin("POST", "/bans", body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.match(answer.body.message, message);
    }
    assert.deepEqual((await admin("GET", "/bans")).body.bans, []);
    assert.equal((await admin("GET", "/reports?limit=0")).status, 400);
    assert.equal((await admin("DELETE", "/bans/..%2F..")).status, 404);
  });
});
