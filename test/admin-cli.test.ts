/**
 * `chatroulette admin`, the real CLI in a child process, against a real
 * server with the moderator API on.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runCli } from "./support/cli.ts";
import { meet, moderated, TOKEN, visit } from "./support/visitors.ts";

const at = (n: number) => ({ forwardedFor: `203.0.113.${n}` });

describe("chatroulette admin (the CLI)", () => {
  test("when a moderator lists, bans and unbans from the shell, then each prints a line and exits 0; mistakes exit 1 or 2 with one line", async (t) => {
    const { server } = await moderated(t);
    const [reporter, bad] = [await visit(t, server, at(1)), await visit(t, server, at(2))];
    // Alive as a page keeps itself (peerjs's HEARTBEAT every 5 s) while the CLI starts, slowly on a busy machine.
    const beat = setInterval(() => bad.send({ type: "HEARTBEAT" }), 5_000);
    t.after(() => clearInterval(beat));
    await meet(reporter, bad);
    reporter.send({ type: "REPORT", payload: { peer: bad.id, reason: "spam" } });
    await reporter.next("REPORTED");
    const env = { CHATROULETTE_ADMIN_TOKEN: TOKEN };
    const admin = (...args: string[]) => runCli(t, ["admin", server.url, ...args], "node", env).exit;

    const reports = await admin("reports");
    assert.equal(reports.code, 0, reports.stderr);
    const [, reported] = /^\S+ {2}([0-9a-f]{32}) reported by [0-9a-f]{32} for spam \(visitor [\w-]+\)$/m.exec(reports.stdout) ?? [];
    assert.ok(reported, reports.stdout);
    const banned = await admin("ban", bad.id, "--duration", "7d", "--note", "spam links");
    assert.equal(banned.code, 0, banned.stderr);
    assert.match(banned.stdout, new RegExp(`^banned ${reported} {2}until \\S+ {2}\\(ban #1, by a moderator: spam links\\)\\n$`));
    assert.match((await admin("bans")).stdout, new RegExp(`^${reported} `));
    assert.deepEqual(JSON.parse((await admin("bans", "--json")).stdout).bans.length, 1);
    assert.equal((await admin("unban", reported)).stdout, `unbanned ${reported}\n`);
    assert.equal((await admin("bans")).stdout, "no bans\n");

    const refused = await admin("unban", reported);
    assert.deepEqual([refused.code, refused.stderr], [1, `chatroulette admin: No ban on ${reported}. (HTTP 404 not_found)\n`]);
    const wrong = await runCli(t, ["admin", server.url, "bans", "--token", "not-the-token-0123"]).exit;
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^chatroulette admin: This needs the moderator token.*\(HTTP 401 unauthorized\)\n$/);
    const usage = await runCli(t, ["admin", server.url, "ban"], "node", env).exit;
    assert.deepEqual([usage.code, usage.stderr], [2, "chatroulette admin: ban needs a target: an address key, a visitor's id or an IP address\n"]);
    const unknown = await runCli(t, ["admin", server.url, "purge"], "node", env).exit;
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^chatroulette: command-argument value 'purge' is invalid for argument 'action'. Allowed choices are bans, reports, ban, unban; see --help\n$/);
  });
});
