/**
 * The visitor's own media (ui/model/local-media.ts): through the page model
 * with fakes of the browser, and alone over the fake media adapter.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { effect } from "@preact/signals";
import { createLocalMediaModel } from "../ui/model/local-media.ts";
import { CAPTION, TEXT } from "../ui/model/text.ts";
import type { MediaMessage } from "../ui/peer-messages.ts";
import { FakeMedia, type FakeTrack, settle } from "./fakes/browser.ts";
import { online, paired, setup } from "./fakes/page.ts";

describe("page model: media", () => {
  test("when camera and microphone are granted, then real tracks replace the placeholders and devices are listed", async () => {
    const { page } = await online();
    const tracks = page.localStream.getTracks() as unknown as FakeTrack[];
    assert.deepEqual(tracks.map((t) => [t.kind, t.deviceId, t.placeholder]), [["audio", "mic-1", false], ["video", "cam-1", false]]);
    assert.deepEqual(page.inputs.audio.value.map((d) => d.label), ["Mic One", "Mic Two"]);
    assert.deepEqual(page.inputs.video.value.map((d) => d.label), ["Cam One", "Cam Two"]);
    assert.equal(page.selected.video.value, "cam-1");
    assert.equal(page.mediaProblem.value, null);
  });

  test("when permission is denied, then it says so, keeps placeholders, is still matched, and a retry installs real tracks live", async () => {
    const media = new FakeMedia();
    media.fail = { both: "NotAllowedError" };
    const s = setup();
    Object.assign(s.media, { fail: media.fail });
    s.page.start();
    await settle();
    assert.equal(s.page.mediaProblem.value, TEXT.denied);
    assert.equal(s.page.hasDevice.video.value, false);
    assert.equal(s.media.captured.length, 1, "no point asking again per device after a denial");
    s.client().on.open();
    s.client().on.match({ peer: "p1", role: "caller" });
    const call = s.client().calls[0];
    const data = s.client().data[0];
    assert.ok((call.stream!.getTracks() as unknown as FakeTrack[]).every((t) => t.placeholder), "placeholders carry the call");
    data.h.open!();
    assert.deepEqual(data.sent[0], { t: "media", camera: false, video: false, microphone: false, audio: false });
    s.media.fail = {};
    await s.page.retryMedia();
    assert.equal(s.page.mediaProblem.value, null);
    assert.deepEqual(call.replaced.map((t) => t.kind), ["audio", "video"], "swapped into the live call");
    assert.equal(s.client().calls.length, 1, "no new call");
    assert.deepEqual(data.sent.at(-1), { t: "media", camera: true, video: true, microphone: true, audio: true });
  });

  test("when there is a microphone but no camera, then the microphone is used and the missing camera reported", async () => {
    const s = setup();
    s.media.fail = { video: "NotFoundError" };
    s.page.start();
    await settle();
    assert.equal(s.page.hasDevice.audio.value, true);
    assert.equal(s.page.hasDevice.video.value, false);
    assert.equal(s.page.mediaProblem.value, TEXT.noCamera);
  });

  test("when there is a camera but no microphone, or neither, then the message names what is missing", async () => {
    for (const [fail, text] of [[{ audio: "NotFoundError" }, TEXT.noMicrophone], [{ audio: "NotFoundError", video: "NotFoundError" }, TEXT.notFound]] as const) {
      const s = setup();
      s.media.fail = { ...fail };
      s.page.start();
      await settle();
      assert.equal(s.page.mediaProblem.value, text);
    }
  });

  test("when toggles are flipped, then the local tracks pause and resume, the stranger is told, and the state survives Next", async () => {
    const { page, data, client } = await paired();
    const [audio, video] = page.localStream.getTracks() as unknown as FakeTrack[];
    page.toggle("video");
    assert.equal(video.enabled, false);
    assert.deepEqual(data.sent.at(-1), { t: "media", camera: true, video: false, microphone: true, audio: true });
    page.toggle("audio");
    assert.equal(audio.enabled, false);
    page.next();
    client().on.match({ peer: "p2", role: "caller" });
    assert.equal(page.enabled.video.value, false);
    assert.equal(video.enabled, false);
    client().data.at(-1)!.h.open!();
    assert.deepEqual(client().data.at(-1)!.sent[0], { t: "media", camera: true, video: false, microphone: true, audio: false });
  });

  test("when another camera is picked during a call, then its track replaces the old one live, keeping the toggle", async () => {
    const { page, call, client } = await paired();
    page.toggle("video");
    const old = (page.localStream.getTracks() as unknown as FakeTrack[]).find((t) => t.kind === "video")!;
    await page.selectDevice("video", "cam-2");
    const now = (page.localStream.getTracks() as unknown as FakeTrack[]).find((t) => t.kind === "video")!;
    assert.equal(now.deviceId, "cam-2");
    assert.equal(now.enabled, false, "a paused camera stays paused");
    assert.ok(old.stopped);
    assert.deepEqual(call.replaced, [now]);
    assert.equal(page.selected.video.value, "cam-2");
    assert.equal(client().calls.length, 1, "no renegotiation, no re-pair");
    assert.equal(page.peerState.value, "connected");
  });

  test("when permission is denied, then the anonymous devices the browser lists are not offered", async () => {
    const s = setup();
    s.media.fail = { audio: "NotAllowedError", video: "NotAllowedError" };
    s.media.list = [{ kind: "audioinput", deviceId: "", label: "" }, { kind: "videoinput", deviceId: "", label: "" }];
    s.page.start();
    await settle();
    assert.deepEqual([s.page.inputs.audio.value, s.page.inputs.video.value], [[], []]);
  });

  test("when devices change, then the lists update", async () => {
    const { page, media } = await online();
    media.list = [...media.list, { kind: "videoinput", deviceId: "cam-3", label: "USB Cam" }];
    media.onChange!();
    await settle();
    assert.deepEqual(page.inputs.video.value.map((d) => d.label), ["Cam One", "Cam Two", "USB Cam"]);
  });
});

describe("local media model alone", () => {
  /** Started over the fake adapter (failing as `fail` says), recording each value the announcement takes. */
  async function started(t: TestContext, fail: FakeMedia["fail"] = {}) {
    const adapter = new FakeMedia();
    adapter.fail = fail;
    const installed: MediaStreamTrack[] = [];
    const media = createLocalMediaModel({ adapter, onTrack: (track) => void installed.push(track) });
    const announced: MediaMessage[] = [];
    t.after(effect(() => void announced.push(media.announcement.value)));
    media.start();
    await settle();
    return { media, adapter, installed, announced };
  }

  test("when both devices start in one capture, then the announcement changes once, and each new track goes to the call", async (t) => {
    const { announced, installed } = await started(t);
    assert.deepEqual(announced, [
      { t: "media", camera: false, video: false, microphone: false, audio: false },
      { t: "media", camera: true, video: true, microphone: true, audio: true },
    ]);
    assert.deepEqual(installed.map((t) => t.kind), ["audio", "video"]);
  });

  test("when one kind is toggled, then only that kind's flag, track and announcement change, and toggling again restores them", async (t) => {
    const { media, announced } = await started(t);
    const [audio, video] = media.localStream.getTracks() as unknown as FakeTrack[];
    media.toggle("audio");
    assert.deepEqual([media.enabled.audio.value, media.enabled.video.value], [false, true]);
    assert.deepEqual([audio.enabled, video.enabled], [false, true]);
    assert.deepEqual(announced.at(-1), { t: "media", camera: true, video: true, microphone: true, audio: false });
    media.toggle("audio");
    assert.deepEqual([media.enabled.audio.value, audio.enabled], [true, true]);
    assert.equal(announced.length, 4, "one new announcement per toggle");
  });

  test("when a device is switched without changing what is sent, then the announcement keeps its value", async (t) => {
    const { media, announced } = await started(t);
    await media.selectDevice("video", "cam-2");
    assert.equal(media.selected.video.value, "cam-2");
    assert.equal(announced.length, 2);
  });

  test("when a kind is toggled without a device, then the announcement says it is off", async (t) => {
    const { media } = await started(t, { both: "NotAllowedError" });
    media.toggle("video");
    assert.deepEqual(media.announcement.value, { t: "media", camera: false, video: false, microphone: false, audio: false });
  });

  test("when there is no camera, or it is off, then the visitor's own video says so", async (t) => {
    const { media, adapter } = await started(t, { video: "NotFoundError" });
    assert.equal(media.ownCaption.value, CAPTION.noCamera);
    adapter.fail = {};
    await media.retryMedia();
    assert.equal(media.ownCaption.value, null);
    media.toggle("video");
    assert.equal(media.ownCaption.value, CAPTION.cameraOff);
  });
});
