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

const NEXT_LIMIT = { burst: 2, perMinute: 6 };
const store = createMemorySafetyStore({ ban: { reports: 3, windowMs: 3_600_000, durationMs: 86_400_000 }, identitiesPerMinute: 0 });
const conduct = () => new Conduct({ store, nextLimit: NEXT_LIMIT, addressOf: (id) => `addr-${id}`, banned() {} }, "addr-me");

/** A conduct whose socket closed at `now` while paired with `peer`. */
function leftWhilePaired(peer: string, now: number): Conduct {
  const c = conduct();
  c.paired(peer, now);
  c.dropped(peer, now);
  return c;
}

describe("kept conducts", () => {
  test("when a visitor comes back, then its conduct is there once, for the same address, until the budget refills and its partners are past reporting", () => {
    const kept = new KeptConducts();
    const c = leftWhilePaired("p", 0);
    kept.keep("me", c, "addr-me", 0);
    assert.equal(kept.take("me", "addr-other", 1000), null, "another address starts afresh");
    kept.keep("me", c, "addr-me", 1000);
    assert.equal(kept.take("me", "addr-me", 1000), c);
    assert.equal(kept.take("me", "addr-me", 1000), null, "taken once");
    kept.keep("me", c, "addr-me", 1000);
    assert.equal(kept.take("me", "addr-me", REPORT_WINDOW_MS), null, "nothing left to remember after the report window (the budget refilled in 10 s)");
    kept.keep("me", conduct(), "addr-me", 0);
    assert.equal(kept.size, 0, "a conduct that never met anyone is not kept");
  });

  test("when more visitors leave while paired than it keeps, then the oldest are dropped and it holds at most MAX_KEPT", () => {
    const kept = new KeptConducts();
    for (let i = 0; i < MAX_KEPT + 500; i++) kept.keep(`v${i}`, leftWhilePaired("p", 0), "addr-me", 0);
    assert.equal(kept.size, MAX_KEPT);
    assert.equal(kept.take("v0", "addr-me", 0), null, "the oldest went first");
    assert.notEqual(kept.take(`v${MAX_KEPT + 499}`, "addr-me", 0), null);
    kept.keep("late", leftWhilePaired("p", REPORT_WINDOW_MS), "addr-me", REPORT_WINDOW_MS + 1);
    assert.equal(kept.size, 1, "those past their time are dropped as others come");
  });
});
