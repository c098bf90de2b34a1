/**
 * Each matching rule on its own, with a handful of visitors: oldest first,
 * never straight back, interests first and anyone after the wait, language
 * first, text-only apart, preferences both ways, recent strangers avoided
 * only while someone else waits. (matchmaker.test.ts checks them all
 * together against a naive model.)
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMatchState, DEFAULT_MATCH_OPTIONS, disconnect, find, type MatchEvent, stop, tick } from "../src/matchmaker/core.ts";
import { defaultWish, type Wish } from "../src/protocol/index.ts";

const W = DEFAULT_MATCH_OPTIONS.interestWaitMs;
const wish = (w: Partial<Wish> = {}): Wish => ({ ...defaultWish(), ...w });
/** Who was paired with whom: "caller-callee". */
const pairs = (events: MatchEvent[]) => events.filter((e) => e.type === "matched" && e.role === "caller").map((e) => `${e.to}-${(e as { partner: string }).partner}`);
const partnerOf = (s: ReturnType<typeof createMatchState>, id: string) => s.visitors.get(id)?.partner ?? null;

describe("matchmaking rules", () => {
  test("when two visitors wait in the same pool, then they are paired at once with opposite roles", () => {
    const s = createMatchState();
    assert.deepEqual(find(s, "a", wish(), 1), [{ type: "waiting", to: "a", pool: "public" }]);
    assert.deepEqual(find(s, "b", wish(), 2), [
      { type: "matched", to: "b", partner: "a", role: "caller", pool: "public" },
      { type: "matched", to: "a", partner: "b", role: "callee", pool: "public" },
    ]);
  });

  test("when visitors wait in different pools, then they are not paired", () => {
    const s = createMatchState();
    find(s, "a", wish(), 1);
    assert.deepEqual(find(s, "b", wish({ pool: "bots-1" }), 2), [{ type: "waiting", to: "b", pool: "bots-1" }]);
  });

  test("when a paired visitor presses Next and a third waits, then it gets the third and the partner is told", () => {
    const s = createMatchState();
    find(s, "a", wish(), 1);
    find(s, "b", wish(), 2);
    find(s, "c", wish(), 3);
    assert.deepEqual(find(s, "b", wish(), 4), [
      { type: "partner-left", to: "a", partner: "b", reason: "next" },
      { type: "matched", to: "b", partner: "c", role: "caller", pool: "public" },
      { type: "matched", to: "c", partner: "b", role: "callee", pool: "public" },
    ]);
  });

  test("when the left partner is the only one waiting, then they are not paired again, and a newcomer gets the one waiting longest", () => {
    const s = createMatchState();
    find(s, "a", wish(), 1);
    find(s, "b", wish(), 2);
    find(s, "b", wish(), 3); // Next: a is told, b waits
    assert.deepEqual(find(s, "a", wish(), 4), [{ type: "waiting", to: "a", pool: "public" }]);
    assert.deepEqual(pairs(find(s, "c", wish(), 5)), ["c-b"]);
    assert.deepEqual(pairs(find(s, "d", wish(), 6)), ["d-a"]);
  });

  test("when a waiting visitor asks again for the same, then it keeps its place; asking for something else requeues it", () => {
    const s = createMatchState();
    find(s, "a", wish(), 1);
    find(s, "b", wish({ language: "en" }), 2);
    find(s, "a", wish(), 3);
    assert.equal(s.visitors.get("a")!.seq, 1, "same wish, same place");
    find(s, "a", wish({ textOnly: true }), 4);
    assert.equal(s.visitors.get("a")!.seq, 3, "a new wish is a new place");
    assert.equal(s.waiting, 2);
  });

  test("when a visitor disconnects, then its partner is told and it is forgotten", () => {
    const s = createMatchState();
    find(s, "a", wish(), 1);
    find(s, "b", wish(), 2);
    assert.deepEqual(disconnect(s, "a"), [{ type: "partner-left", to: "b", partner: "a", reason: "disconnect" }]);
    assert.equal(s.visitors.has("a"), false);
    assert.equal(s.visitors.get("b")!.met.length, 0, "nobody remembers a departed visitor");
    assert.deepEqual(disconnect(s, "a"), []);
    assert.deepEqual(stop(s, "b"), []);
  });

  test("when someone who shares an interest waits, then a newcomer with interests gets them before older strangers, and both are told which", () => {
    const s = createMatchState();
    find(s, "old", wish(), 1);
    find(s, "chess", wish({ interests: ["go", "chess"] }), 2);
    const events = find(s, "me", wish({ interests: ["music", "chess"] }), 3);
    assert.deepEqual(events, [
      { type: "matched", to: "me", partner: "chess", role: "caller", pool: "public", interests: ["chess"] },
      { type: "matched", to: "chess", partner: "me", role: "callee", pool: "public", interests: ["chess"] },
    ]);
  });

  test("when nobody shares an interest, then the visitor waits, and after the wait a tick pairs it with anyone", () => {
    const s = createMatchState();
    find(s, "plain", wish(), 0);
    assert.deepEqual(find(s, "me", wish({ interests: ["chess"] }), 1000), [{ type: "waiting", to: "me", pool: "public" }]);
    assert.deepEqual(find(s, "art", wish({ interests: ["art"] }), 2000), [{ type: "waiting", to: "art", pool: "public" }], "nor do two with different interests");
    assert.deepEqual(tick(s, 1000 + W - 1), [], "not before the wait is over");
    assert.deepEqual(pairs(tick(s, 1000 + W)), ["me-plain"], "then anyone (the oldest)");
    assert.deepEqual(pairs(find(s, "new", wish(), 2000 + W - 1)), [], "a plain newcomer cannot take one still holding out");
    assert.deepEqual(pairs(tick(s, 2000 + W)), ["art-new"]);
  });

  test("when someone of the same language waits, then a speaker gets them before an older stranger who shares an interest", () => {
    const s = createMatchState();
    find(s, "en-chess", wish({ language: "en", interests: ["chess"] }), 1);
    find(s, "zh-art", wish({ language: "zh", interests: ["art"] }), 2);
    assert.equal(s.waiting, 2, "they share nothing, so both hold out");
    assert.deepEqual(pairs(find(s, "me", wish({ language: "zh", interests: ["chess"] }), 3)), ["me-zh-art"]);
  });

  test("when one speaker of the language also shares an interest, then they come before an older speaker who does not", () => {
    const s = createMatchState();
    find(s, "zh-art", wish({ language: "zh", interests: ["art"] }), 1);
    find(s, "zh-chess", wish({ language: "zh", interests: ["chess"] }), 2); // they meet
    find(s, "zh-art", wish({ language: "zh", interests: ["art"] }), 3); // Next: zh-art waits
    find(s, "zh-chess", wish({ language: "zh", interests: ["chess"] }), 4); // not straight back: waits too
    assert.equal(s.waiting, 2);
    const events = find(s, "me", wish({ language: "zh", interests: ["chess"] }), 5);
    assert.deepEqual(pairs(events), ["me-zh-chess"]);
    assert.deepEqual(events[0].type === "matched" && events[0].interests, ["chess"]);
  });

  test("when only speakers of another language wait, then a speaker holds out for the wait, then meets them", () => {
    const s = createMatchState();
    find(s, "en", wish({ language: "en" }), 0);
    assert.deepEqual(pairs(find(s, "zh", wish({ language: "zh" }), 0)), []);
    assert.deepEqual(pairs(tick(s, W)), ["zh-en"], "en's wait ends first, but zh still holds out; then zh's ends");
  });

  test("when text-only and video visitors wait, then each is paired only within its own pool", () => {
    const s = createMatchState();
    find(s, "video", wish(), 1);
    assert.deepEqual(pairs(find(s, "text1", wish({ textOnly: true }), 2)), []);
    assert.deepEqual(pairs(tick(s, 2 + W)), []);
    assert.deepEqual(pairs(find(s, "text2", wish({ textOnly: true }), 3)), ["text2-text1"]);
    const [matched] = find(s, "video2", wish(), 4);
    assert.equal(matched.type === "matched" && matched.partner, "video");
  });

  test("when preferences are declared, then both sides' filters hold: no one meets someone they did not ask for", () => {
    const s = createMatchState();
    const as = (gender: "woman" | "man" | "other" | "unsaid", lookingFor: "anyone" | "women" | "men" | "other") => wish({ preferences: { gender, lookingFor } });
    find(s, "man-for-women", as("man", "women"), 1);
    find(s, "woman-for-women", as("woman", "women"), 2);
    assert.deepEqual(pairs(find(s, "undeclared", wish(), 3)), [], "nobody admits someone who did not say");
    assert.deepEqual(pairs(find(s, "woman-for-anyone", as("woman", "anyone"), 4)), ["woman-for-anyone-man-for-women"]);
    assert.deepEqual(pairs(find(s, "man-for-men", as("man", "men"), 5)), [], "woman-for-women does not want him; undeclared has not said");
    assert.deepEqual(pairs(find(s, "woman-for-men", as("woman", "men"), 6)), [], "her filter: no man waits who wants women");
    assert.deepEqual(pairs(find(s, "unsaid-for-women", as("unsaid", "women"), 7)), [], "the women waiting want women, not an unsaid");
    assert.deepEqual(pairs(find(s, "woman2", as("woman", "women"), 8)), ["woman2-woman-for-women"]);
    assert.deepEqual(pairs(find(s, "other", as("other", "anyone"), 9)), ["other-undeclared"]);
  });

  /** a and b met and parted, then each had another partner (so neither is the other's last). */
  function metBefore(at: number) {
    const s = createMatchState();
    find(s, "a", wish(), at);
    find(s, "b", wish(), at);
    for (const [who, other] of [["a", "p"], ["b", "q"]]) {
      stop(s, who);
      find(s, other, wish(), at);
      find(s, who, wish(), at);
      stop(s, who);
      stop(s, other);
    }
    assert.ok(s.visitors.get("a")!.met.some((m) => m.id === "b") && s.visitors.get("a")!.last === "p");
    return s;
  }

  test("when a recent stranger and a new one both qualify, then the new one is chosen, though it waited less", () => {
    const s = metBefore(0);
    // Both hold out for their interest, so they wait side by side.
    find(s, "a", wish({ interests: ["chess"] }), 10);
    find(s, "x", wish({ interests: ["art"] }), 11);
    assert.deepEqual(pairs(find(s, "b", wish({ interests: ["chess", "art"] }), 12)), ["b-x"]);
  });

  test("when the only one who qualifies is a recent stranger, then they meet again rather than wait", () => {
    const s = metBefore(0);
    find(s, "a", wish({ interests: ["chess"] }), 10);
    find(s, "x", wish({ pool: "elsewhere" }), 11);
    assert.deepEqual(pairs(find(s, "b", wish({ interests: ["chess", "art"] }), 12)), ["b-a"]);
  });

  test("when ten minutes have passed, then a stranger met before counts as new again", () => {
    const later = DEFAULT_MATCH_OPTIONS.recentMs;
    const s = metBefore(0);
    find(s, "a", wish({ interests: ["chess"] }), later);
    find(s, "x", wish({ interests: ["art"] }), later + 1);
    assert.deepEqual(pairs(find(s, "b", wish({ interests: ["chess", "art"] }), later + 2)), ["b-a"], "the oldest again");
  });

  test("when a visitor has met more than ten strangers, then it remembers only the last ten, and they it", () => {
    const s = createMatchState();
    for (let i = 0; i < 12; i++) {
      find(s, `s${i}`, wish(), i);
      find(s, "me", wish(), i);
      stop(s, "me");
    }
    const met = s.visitors.get("me")!.met.map((m) => m.id);
    assert.deepEqual(met, Array.from({ length: 10 }, (_, i) => `s${i + 2}`));
    assert.deepEqual(s.visitors.get("s0")!.met, [], "the forgotten forget too");
  });
});
