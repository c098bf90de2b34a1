/**
 * What every SafetyStore must do, whatever holds its data: the memory store
 * runs this suite (test/safety-store.test.ts), and a shared store (Redis)
 * runs the same suite by handing in its own factory:
 *
 *   describeSafetyStore("redis store", (policy) => createRedisSafetyStore(client, policy));
 *
 * Every test uses fresh address keys and its own clock, so a factory may
 * return stores that share one database.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { MAX_BAN_MS, REPORT_RATE } from "../../src/safety/rules.ts";
import type { SafetyPolicy, SafetyStore } from "../../src/safety/store.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const POLICY: SafetyPolicy = {
  ban: { reports: 3, windowMs: HOUR, durationMs: DAY },
  identitiesPerMinute: 5,
};

export function describeSafetyStore(name: string, create: (policy: SafetyPolicy) => SafetyStore | Promise<SafetyStore>): void {
  /** A fresh store, fresh keys, and a clock starting at a random point. */
  const setup = async () => {
    const store = await create(POLICY);
    const key = () => randomUUID().replaceAll("-", "");
    return { store, key, t0: 1_800_000_000_000 + Math.floor(Math.random() * DAY) };
  };
  /** `n` distinct reporters report `reported`, a minute apart from `t`; returns the outcomes. */
  const reportedBy = async (store: SafetyStore, reporters: string[], reported: string, t: number) => {
    const outcomes = [];
    for (const [i, reporter] of reporters.entries()) {
      outcomes.push(await store.report({ reporter, reported, reason: "spam", peer: "p-1" }, t + i * MINUTE));
    }
    return outcomes;
  };

  describe(`${name}: reports and bans`, () => {
    test("when three distinct addresses report a visitor within the window, then it is banned for the ban duration", async () => {
      const { store, key, t0 } = await setup();
      const target = key();
      const outcomes = await reportedBy(store, [key(), key(), key()], target, t0);
      assert.deepEqual(outcomes.slice(0, 2), [{ kind: "recorded", ban: null }, { kind: "recorded", ban: null }]);
      const last = outcomes[2];
      assert.ok(last.kind === "recorded" && last.ban);
      assert.deepEqual(last.ban, {
        key: target, since: t0 + 2 * MINUTE, until: t0 + 2 * MINUTE + DAY, by: "reports", nth: 1, reporters: 3, reasons: ["spam"],
      });
      assert.deepEqual(await store.banOf(target, t0 + 3 * MINUTE), last.ban);
      assert.deepEqual((await store.bans(t0 + 3 * MINUTE)).map((b) => b.key), [target]);
    });

    test("when one address reports the same visitor three times, then it counts once and nobody is banned", async () => {
      const { store, key, t0 } = await setup();
      const [reporter, target] = [key(), key()];
      const outcomes = await reportedBy(store, [reporter, reporter, reporter], target, t0);
      assert.deepEqual(outcomes.map((o) => o.kind === "refused" ? o.code : "recorded"), ["recorded", "already_reported", "already_reported"]);
      assert.equal(await store.banOf(target, t0 + 3 * MINUTE), null);
    });

    test("when reports are further apart than the window, then they do not add up", async () => {
      const { store, key, t0 } = await setup();
      const target = key();
      await store.report({ reporter: key(), reported: target, reason: "nudity", peer: "p" }, t0);
      await store.report({ reporter: key(), reported: target, reason: "nudity", peer: "p" }, t0 + 30 * MINUTE);
      const third = await store.report({ reporter: key(), reported: target, reason: "nudity", peer: "p" }, t0 + HOUR + MINUTE);
      assert.deepEqual(third, { kind: "recorded", ban: null });
    });

    test("when an address reports one at its own address (one NAT), then that report never counts toward a ban", async () => {
      const { store, key, t0 } = await setup();
      const target = key();
      await reportedBy(store, [target, key()], target, t0);
      const third = await store.report({ reporter: key(), reported: target, reason: "other", peer: "p" }, t0 + 2 * MINUTE);
      assert.deepEqual(third, { kind: "recorded", ban: null });
    });

    test("when an address files reports faster than a few a minute, then the rest are refused and it becomes suspect", async () => {
      const { store, key, t0 } = await setup();
      const reporter = key();
      for (let i = 0; i < REPORT_RATE.burst; i++) {
        assert.equal((await store.report({ reporter, reported: key(), reason: "spam", peer: "p" }, t0)).kind, "recorded");
      }
      assert.deepEqual(await store.report({ reporter, reported: key(), reason: "spam", peer: "p" }, t0), { kind: "refused", code: "too_many_reports" });
      const verdict = await store.admitIdentity(reporter, t0);
      assert.ok(verdict.kind === "admitted" && verdict.suspect);
      const later = t0 + MINUTE / REPORT_RATE.perMinute + 1;
      assert.equal((await store.report({ reporter, reported: key(), reason: "spam", peer: "p" }, later)).kind, "recorded");
    });

    test("when a ban's time is up, then it is lifted, and the reports behind it do not ban again", async () => {
      const { store, key, t0 } = await setup();
      const target = key();
      await reportedBy(store, [key(), key(), key()], target, t0);
      const end = t0 + 2 * MINUTE + DAY;
      assert.ok(await store.banOf(target, end - 1));
      assert.equal(await store.banOf(target, end), null);
      assert.deepEqual(await store.bans(end), []);
      assert.equal((await store.admitIdentity(target, end)).kind, "admitted");
    });

    test("when banned again within 30 days, then each ban is twice as long, up to 30 days; after 30 quiet days it starts over", async () => {
      const { store, key, t0 } = await setup();
      const target = key();
      let t = t0;
      const lengths: number[] = [];
      for (let i = 0; i < 7; i++) {
        const outcomes = await reportedBy(store, [key(), key(), key()], target, t);
        const ban = (outcomes[2] as { ban: { since: number; until: number; nth: number } }).ban;
        assert.equal(ban.nth, i + 1);
        lengths.push((ban.until - ban.since) / DAY);
        t = ban.until + DAY;
      }
      assert.deepEqual(lengths, [1, 2, 4, 8, 16, 30, 30]);
      const fresh = await reportedBy(store, [key(), key(), key()], target, t + 30 * DAY);
      assert.deepEqual((fresh[2] as { ban: { nth: number } }).ban.nth, 1);
      assert.ok(MAX_BAN_MS.reports === 30 * DAY);
    });

    test("when a moderator bans and unbans, then the ban holds until lifted and the listing shows it with the note", async () => {
      const { store, key, t0 } = await setup();
      const target = key();
      const ban = await store.ban(target, { durationMs: 2 * HOUR, note: "spam links" }, t0);
      assert.deepEqual(ban, { key: target, since: t0, until: t0 + 2 * HOUR, by: "moderator", nth: 1, note: "spam links" });
      assert.deepEqual(await store.banOf(target, t0 + HOUR), ban);
      assert.deepEqual(await store.admitIdentity(target, t0 + HOUR), { kind: "banned", ban });
      assert.equal(await store.unban(target, t0 + HOUR), true);
      assert.equal(await store.unban(target, t0 + HOUR), false);
      assert.equal(await store.banOf(target, t0 + HOUR), null);
      const again = await store.ban(target, { durationMs: 400 * DAY, note: "" }, t0 + HOUR);
      assert.equal(again.nth, 1, "unbanning forgets the history");
      assert.equal(again.until - again.since, MAX_BAN_MS.moderator, "capped at a year");
      assert.equal("note" in again, false);
    });

    test("when reports are listed, then they come newest first, up to the limit, with address keys only", async () => {
      const { store, key, t0 } = await setup();
      const [a, b, c] = [key(), key(), key()];
      await store.report({ reporter: a, reported: c, reason: "nudity", peer: "p-c" }, t0);
      await store.report({ reporter: b, reported: c, reason: "underage", peer: "p-c" }, t0 + 1);
      const listed = await store.reports(t0 + 2, 10);
      const mine = listed.filter((r) => r.reported === c);
      assert.deepEqual(mine, [
        { at: t0 + 1, reporter: b, reported: c, reason: "underage", peer: "p-c" },
        { at: t0, reporter: a, reported: c, reason: "nudity", peer: "p-c" },
      ]);
      assert.equal((await store.reports(t0 + 2, 1)).length, 1);
    });
  });

  describe(`${name}: identities, suspects and spent challenges`, () => {
    test("when an address asks for more identities than its rate, then it is refused with the wait, and admitted again after it", async () => {
      const { store, key, t0 } = await setup();
      const visitor = key();
      for (let i = 0; i < POLICY.identitiesPerMinute; i++) assert.equal((await store.admitIdentity(visitor, t0)).kind, "admitted");
      const refused = await store.admitIdentity(visitor, t0);
      assert.equal(refused.kind, "limited");
      assert.equal((refused as { retryAfterMs: number }).retryAfterMs, MINUTE / POLICY.identitiesPerMinute);
      assert.equal((await store.admitIdentity(key(), t0)).kind, "admitted", "another address is still served");
      const back = await store.admitIdentity(visitor, t0 + MINUTE / POLICY.identitiesPerMinute);
      assert.ok(back.kind === "admitted" && back.suspect, "admitted, but suspect for having tripped the limit");
    });

    test("when an address was reported or flagged in the last hour, then it is suspect; after an hour it is not", async () => {
      const { store, key, t0 } = await setup();
      const [reported, flagged, clean] = [key(), key(), key()];
      await store.report({ reporter: key(), reported, reason: "harassment", peer: "p" }, t0);
      await store.flag(flagged, t0);
      const suspect = async (k: string, t: number) => {
        const v = await store.admitIdentity(k, t);
        return v.kind === "admitted" && v.suspect;
      };
      assert.deepEqual([await suspect(reported, t0 + 1), await suspect(flagged, t0 + 1), await suspect(clean, t0 + 1)], [true, true, false]);
      assert.deepEqual([await suspect(reported, t0 + HOUR + 1), await suspect(flagged, t0 + HOUR + 1)], [false, false]);
    });

    test("when identities are asked for by everyone, then the verdict says how many a minute", async () => {
      const { store, key, t0 } = await setup();
      const start = Math.ceil(t0 / MINUTE) * MINUTE + 2 * MINUTE; // a fresh minute, after any other test's
      let last = 0;
      for (let i = 0; i < 40; i++) {
        const v = await store.admitIdentity(key(), start + i);
        if (v.kind === "admitted") last = v.perMinute;
      }
      assert.ok(last >= 40, `${last} a minute`);
    });

    test("when a token is used twice, then the second use is refused until it expires", async () => {
      const { store, t0 } = await setup();
      const token = randomUUID();
      assert.equal(await store.useOnce(token, t0 + MINUTE, t0), true);
      assert.equal(await store.useOnce(token, t0 + MINUTE, t0 + 1), false);
      assert.equal(await store.useOnce(randomUUID(), t0 + MINUTE, t0 + 1), true);
    });
  });
}
