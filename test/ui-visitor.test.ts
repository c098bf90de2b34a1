/**
 * What the visitor asks for and gets beyond the book, through the page
 * model with fakes of the browser: settings and the FIND they make, common
 * interests, text only, screen sharing, the online count, the stranger's
 * volume.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSettingsModel, type SettingsStore } from "../ui/model/settings.ts";
import { TEXT } from "../ui/model/text.ts";
import { FakeCall, FakeTrack, settle } from "./fakes/browser.ts";
import { online, paired, setup, texts } from "./fakes/page.ts";

class MemoryStore implements SettingsStore {
  value: unknown;
  constructor(value: unknown = null) {
    this.value = value;
  }
  load() {
    return this.value;
  }
  save(value: unknown) {
    this.value = JSON.parse(JSON.stringify(value));
  }
}

describe("page model: settings", () => {
  test("when interests are added, then they are normalized as the server does, at most 5, at most 32 characters", () => {
    const s = createSettingsModel({ store: null, languages: ["en-US"], preferences: false });
    assert.equal(s.addInterest("  Board   GAMES "), null);
    assert.equal(s.addInterest("board games"), null, "a duplicate is no problem, and not added");
    assert.equal(s.addInterest("x".repeat(33)), "interestTooLong");
    for (const tag of ["a", "b", "c", "d"]) s.addInterest(tag);
    assert.equal(s.addInterest("f"), "tooManyInterests");
    assert.deepEqual(s.interests.value, ["board games", "a", "b", "c", "d"]);
    s.removeInterest("a");
    assert.deepEqual(s.wish.value, { interests: ["board games", "b", "c", "d"], language: "en", textOnly: false });
  });

  test("when nothing was chosen, then the languages come from the browser; choices are remembered, and junk in storage is ignored", () => {
    const fresh = createSettingsModel({ store: null, languages: ["zh-CN", "en"], preferences: false });
    assert.equal(fresh.locale.value, "zh");
    assert.equal(fresh.speak.value, "zh");
    assert.equal(createSettingsModel({ store: null, languages: ["tlh", "fr-CA"], preferences: false }).speak.value, "fr");
    const store = new MemoryStore();
    const s = createSettingsModel({ store, languages: ["en"], preferences: true });
    s.setLocale("zh");
    s.setSpeak(null);
    s.setTextOnly(true);
    s.addInterest("chess");
    s.setGender("woman");
    const again = createSettingsModel({ store, languages: ["en"], preferences: true });
    assert.deepEqual(again.wish.value, {
      interests: ["chess"],
      language: null,
      textOnly: true,
      preferences: { gender: "woman", lookingFor: "anyone" },
    });
    assert.equal(again.locale.value, "zh");
    const junk = new MemoryStore({ locale: "xx", interests: ["a", 7], speak: "klingon", textOnly: "yes", gender: "robot" });
    const safe = createSettingsModel({ store: junk, languages: ["en"], preferences: true });
    assert.deepEqual(safe.wish.value, { interests: [], language: "en", textOnly: false });
  });

  test("when the server has no --preferences, then declarations are never sent", () => {
    const s = createSettingsModel({ store: null, languages: [], preferences: false });
    s.setGender("man");
    s.setLookingFor("women");
    assert.equal("preferences" in s.wish.value, false);
  });
});

describe("page model: FIND and the match", () => {
  test("when the page looks for a stranger, then FIND carries its wish; a changed wish is asked for again at once while waiting", async () => {
    const { page, client } = await online();
    assert.deepEqual(client().wishes.at(-1), { interests: [], language: null, textOnly: false });
    page.settings.addInterest("Chess");
    assert.deepEqual(client().wishes.at(-1), { interests: ["chess"], language: null, textOnly: false });
    assert.equal(client().finds, 2);
  });

  test("when paired, then a changed wish waits for Next", async () => {
    const { page, client } = await paired();
    const finds = client().finds;
    page.settings.addInterest("go");
    assert.equal(client().finds, finds);
    page.next();
    assert.deepEqual(client().wishes.at(-1), { interests: ["go"], language: null, textOnly: false });
  });

  test("when matched on common interests, then the chat says which once connected", async () => {
    const { page, client } = await online();
    client().on.match({ peer: "p1", role: "caller", interests: ["music", "chess"] });
    client().data[0].h.open!();
    assert.deepEqual(texts(page), [`system:${TEXT.connected}`, `system:${TEXT.bothLike}`]);
    assert.deepEqual(page.messages.value[1], { id: 2, from: "system", text: TEXT.bothLike, args: ["music, chess"] });
  });

  test("when the server says how many are online, then the page shows it", async () => {
    const { page, client } = await online();
    assert.equal(page.online.value, null);
    client().on.online(1234);
    assert.equal(page.online.value, 1234);
  });
});

describe("page model: text only", () => {
  test("when text only was chosen, then no camera is asked for, no call is made or taken, and chat works", async () => {
    const s = setup({ store: new MemoryStore({ textOnly: true }) });
    s.page.start();
    await settle();
    assert.deepEqual(s.media.captured, [], "no camera request at all");
    s.client().on.open();
    assert.deepEqual(s.client().wishes.at(-1), { interests: [], language: null, textOnly: true });
    s.client().on.match({ peer: "p1", role: "caller" });
    assert.equal(s.client().data.length, 1);
    assert.equal(s.client().calls.length, 0, "no call");
    s.client().data[0].h.open!();
    assert.equal(s.page.peerState.value, "connected");
    assert.ok(s.page.send("hi"));
    const callee = await online();
    callee.page.settings.setTextOnly(true);
    callee.client().on.match({ peer: "p2", role: "callee" });
    const call = new FakeCall("p2");
    callee.client().on.call(call);
    assert.ok(call.closed, "a call offered to a text-only visitor is closed");
  });

  test("when text only is switched on during a call, then the camera and microphone stop and another stranger is found", async () => {
    const { page, client, call } = await paired();
    page.settings.setTextOnly(true);
    assert.equal(page.hasDevice.video.value, false);
    assert.equal(page.hasDevice.audio.value, false);
    assert.ok(call.replaced.every((t) => t.placeholder), "placeholders replace the devices");
    assert.deepEqual(client().wishes.at(-1), { interests: [], language: null, textOnly: true });
    assert.equal(page.peerState.value, "waiting");
  });
});

describe("page model: screen sharing", () => {
  test("when a screen is shared, then the stranger receives it instead of the camera, and the camera when it ends", async () => {
    const { page, media, call, data } = await paired();
    assert.equal(page.screen.available, true);
    const screen = new FakeTrack("video", "screen-1");
    media.screenResult = screen;
    page.toggle("video"); // the camera is paused: the stranger is told there is no picture
    assert.equal((data.sent.at(-1) as { video: boolean }).video, false);
    await page.screen.share();
    assert.equal(call.replaced.at(-1), screen);
    assert.equal(page.screen.sharing.value, true);
    assert.equal((data.sent.at(-1) as { video: boolean }).video, true, "a shared screen is a picture");
    screen.end(); // the browser's own "Stop sharing"
    assert.equal(page.screen.sharing.value, false);
    assert.equal(call.replaced.at(-1)?.deviceId, "cam-1", "the camera is back");
  });

  test("when sharing is refused, then the page says so and the camera stays; where there is no getDisplayMedia it is not offered", async () => {
    const { page, media, call } = await paired();
    media.screenResult = "NotAllowedError";
    await page.screen.share();
    assert.equal(page.screen.problem.value, TEXT.screenDenied);
    assert.equal(page.screen.sharing.value, false);
    assert.equal(call.replaced.length, 0);
    const phone = setup({ noScreen: true });
    assert.equal(phone.page.screen.available, false);
  });

  test("when the camera is switched while sharing, then the screen stays in the call", async () => {
    const { page, call } = await paired();
    await page.screen.share();
    await page.selectDevice("video", "cam-2");
    assert.equal(call.replaced.at(-1)?.deviceId, "screen-1");
    page.screen.stop();
    assert.equal(call.replaced.at(-1)?.deviceId, "cam-2");
  });
});

describe("page model: the stranger's volume", () => {
  test("when the volume is set or the stranger muted, then the model says so, within 0 to 1", () => {
    const { page } = setup();
    page.audio.setVolume(0.3);
    assert.equal(page.audio.volume.value, 0.3);
    page.audio.toggleMute();
    assert.equal(page.audio.muted.value, true);
    page.audio.setVolume(7);
    assert.equal(page.audio.volume.value, 1);
    assert.equal(page.audio.muted.value, false, "turning it up unmutes");
    page.audio.setVolume(Number.NaN);
    assert.equal(page.audio.volume.value, 1);
  });
});
