/**
 * The composition root (ui/state.ts): how the small models meet. Mostly the
 * one effect that tells the stranger what media we send, so each case counts
 * the `media` messages on the stranger's data channel.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeData } from "./fakes/browser.ts";
import { mediaSent, online, paired } from "./fakes/page.ts";

const ALL_ON = { t: "media", camera: true, video: true, microphone: true, audio: true } as const;

describe("page model: telling the stranger about our media", () => {
  test("when the stranger's channel opens, then they are told our media exactly once", async () => {
    const { data } = await paired("callee");
    assert.deepEqual(mediaSent(data), [ALL_ON]);
  });

  test("when a toggle changes what we send, then the stranger gets exactly one message per change", async () => {
    const { page, data } = await paired();
    page.toggle("video");
    page.toggle("audio");
    page.toggle("video");
    assert.deepEqual(mediaSent(data), [
      ALL_ON,
      { ...ALL_ON, video: false },
      { ...ALL_ON, video: false, audio: false },
      { ...ALL_ON, audio: false },
    ]);
  });

  test("when a device is switched or media is retried without changing what we send, then the stranger is not told again", async () => {
    const { page, data } = await paired();
    await page.selectDevice("audio", "mic-2");
    await page.retryMedia();
    assert.deepEqual(mediaSent(data), [ALL_ON]);
  });

  test("when there is no open channel, then changes go to nobody, and the next stranger hears only the state at that time", async () => {
    const { page, client } = await online();
    page.toggle("audio");
    client().on.match({ peer: "p1", role: "callee" });
    const data = new FakeData("p1");
    client().on.connection(data);
    page.toggle("video");
    assert.deepEqual(data.sent, [], "nothing before the channel opens");
    data.h.open!();
    assert.deepEqual(mediaSent(data), [{ ...ALL_ON, audio: false, video: false }]);
  });

  test("when Next is pressed, then the last stranger hears no more of our media", async () => {
    const { page, data } = await paired();
    page.next();
    page.toggle("video");
    assert.deepEqual(mediaSent(data), [ALL_ON]);
  });

  test("when disposed, then a toggle tells nobody", async () => {
    const { page, data } = await paired();
    page.dispose();
    page.toggle("video");
    assert.deepEqual(mediaSent(data), [ALL_ON]);
  });
});
