/**
 * What a closed socket's visitor leaves behind for its next socket
 * (src/signaling/kept-conducts.ts): bounded, and only for as long as it matters.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { REPORT_WINDOW_MS } from "../src/protocol/index.ts";
import { createMemorySafetyStore } from "../src/safety/store.ts";
import { Conduct } from "../src/signaling/conduct.ts";
import { KeptConducts, MAX_KEPT } from "../src/signaling/kept-conducts.ts";

const NEXT_LIMIT = { burst: 1, perMinute: 6 }; // a token every 10 s
const store = createMemorySafetyStore({ ban: { reports: 3, windowMs: 3_600_000, durationMs: 86_400_000 }, identitiesPerMinute: 0 });
const conduct = () => new Conduct({ store, nextLimit: NEXT_LIMIT, addressOf: (id) => `addr-${id}`, banned() {} }, "addr-me");

/** A conduct whose socket closed at `now` while paired with `peer`. */
function leftWhilePaired(peer: string, now: number, c = conduct()): Conduct {
  c.paired(peer, now);
  c.parted(peer, now);
  c.leftUnasked(now);
  return c;
}

describe("kept conducts", () => {
  test("when a visitor comes back, then its conduct is there once, while its partners can be reported; from another address, its budget only", () => {
    const kept = new KeptConducts();
    const c = leftWhilePaired("p", 0);
    kept.keep("me", c, 0);
    assert.equal(kept.take("me", "addr-me", 1000), c);
    assert.equal(kept.take("me", "addr-me", 1000), null, "taken once");
    kept.keep("me", c, 1000);
    const elsewhere = kept.take("me", "addr-other", 1000)!;
    assert.deepEqual(elsewhere.report("p", 1000), { code: "not_partner", msg: "p was not your partner in the last minute." }, "whom it met stays with the address it met them from");
    assert.equal(elsewhere.next(1000)?.code, "rate_limited", "the spent budget came along");
    kept.keep("me", c, 1000);
    assert.equal(kept.take("me", "addr-me", REPORT_WINDOW_MS), null, "nothing to remember after the report window");
    kept.keep("me", conduct(), 0);
    assert.equal(kept.size, 0, "a conduct that never met anyone is not kept");
  });

  test("when a leave past the budget is still unpaid, then the conduct is kept until the debt, too, is refilled", () => {
    const kept = new KeptConducts();
    const c = leftWhilePaired("q", 0, leftWhilePaired("p", 0)); // the second leave finds the budget empty
    // No partner to report after 60 s; the debt and a full budget take 2 tokens: 20 s at 6 a minute.
    assert.equal(c.keptUntil(0), REPORT_WINDOW_MS);
    const late = leftWhilePaired("r", 0, leftWhilePaired("s", 0, new Conduct({ store, nextLimit: { burst: 1, perMinute: 1 }, addressOf: () => "x", banned() {} }, "addr-me")));
    assert.equal(late.keptUntil(0), 120_000, "at 1 a minute: the budget back in 60 s, the debt in 60 s more");
    kept.keep("late", late, 0);
    assert.notEqual(kept.take("late", "addr-me", 100_000), null);
  });

  test("when more visitors leave while paired than it keeps, then the oldest are dropped and it holds at most MAX_KEPT", () => {
    const kept = new KeptConducts();
    for (let i = 0; i < MAX_KEPT + 500; i++) kept.keep(`v${i}`, leftWhilePaired("p", 0), 0);
    assert.equal(kept.size, MAX_KEPT);
    assert.equal(kept.take("v0", "addr-me", 0), null, "the oldest went first");
    assert.notEqual(kept.take(`v${MAX_KEPT + 499}`, "addr-me", 0), null);
    kept.keep("late", leftWhilePaired("p", REPORT_WINDOW_MS), REPORT_WINDOW_MS + 1);
    assert.equal(kept.size, 1, "those past their time are dropped as others come");
  });
});
