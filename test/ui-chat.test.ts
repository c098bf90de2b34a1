/**
 * The chat model (ui/model/chat.ts): through the page model with fakes of the
 * browser, and alone with a fake link to the stranger.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signal } from "@preact/signals";
import { createChatModel, TYPING_IDLE_MS, TYPING_SHOW_MS } from "../ui/model/chat.ts";
import type { PeerMessage } from "../ui/peer-messages.ts";
import { FakeTimers } from "./fakes/browser.ts";
import { online, paired, texts } from "./fakes/page.ts";

describe("page model: chat", () => {
  test("when the stranger sends text, then it shows as theirs, cut to the limit; anything else is ignored", async () => {
    const { page, data } = await paired();
    data.h.data!({ t: "msg", text: "<img src=x onerror=alert(1)>" });
    data.h.data!({ t: "msg", text: "x".repeat(60) });
    data.h.data!("raw string");
    data.h.data!({ t: "msg", text: 42 });
    data.h.data!({ t: "eval", code: "1" });
    assert.deepEqual(texts(page).slice(1), ["stranger:<img src=x onerror=alert(1)>", `stranger:${"x".repeat(40)}`]);
  });

  test("when I send, then it goes to the stranger and shows as mine; blank or unconnected sends do nothing", async () => {
    const { page, data } = await paired();
    assert.equal(page.send("  hello  "), true);
    assert.equal(page.send("   "), false);
    assert.deepEqual(data.sent.at(-1), { t: "msg", text: "hello" });
    assert.deepEqual(texts(page).at(-1), "me:hello");
    const idle = await online();
    assert.equal(idle.page.send("hello?"), false);
  });

  test("when I type, then the stranger is told at most every 2 s, and told I stopped after 3 s idle", async () => {
    const { page, data, timers } = await paired();
    const typing = () => data.sent.filter((m) => (m as { t: string }).t === "typing");
    timers.now = 10_000;
    page.typing();
    page.typing();
    assert.deepEqual(typing(), [{ t: "typing", on: true }]);
    await timers.advance(TYPING_IDLE_MS);
    assert.deepEqual(typing(), [{ t: "typing", on: true }, { t: "typing", on: false }]);
  });

  test("when the stranger types, then the indicator shows until their message or a timeout", async () => {
    const { page, data, timers } = await paired();
    data.h.data!({ t: "typing", on: true });
    assert.equal(page.strangerTyping.value, true);
    data.h.data!({ t: "msg", text: "yo" });
    assert.equal(page.strangerTyping.value, false);
    data.h.data!({ t: "typing", on: true });
    await timers.advance(TYPING_SHOW_MS);
    assert.equal(page.strangerTyping.value, false);
  });

  test("when the stranger says what media they send, then the model knows it", async () => {
    const { page, data } = await paired();
    data.h.data!({ t: "media", camera: false, video: false, microphone: true, audio: true });
    assert.deepEqual(page.strangerMedia.value, { camera: false, video: false, microphone: true, audio: true });
  });
});

describe("chat model alone", () => {
  function alone(connected = true) {
    const told: PeerMessage[] = [];
    const timers = new FakeTimers();
    const link = { canChat: signal(connected), tell: (m: PeerMessage) => void told.push(m) };
    const chat = createChatModel({ link, maxMessageLength: 10, timers, now: () => timers.now });
    return { chat, told, timers, link };
  }

  test("when nobody can be reached, then sending and typing tell nobody and show nothing", () => {
    const { chat, told } = alone(false);
    assert.equal(chat.send("hello"), false);
    chat.typing();
    assert.deepEqual(told, []);
    assert.deepEqual(chat.messages.value, []);
  });

  test("when the stranger is forgotten while I type, then they are not told later that I stopped", async () => {
    const { chat, told, timers } = alone();
    timers.now = 10_000;
    chat.typing();
    chat.forget();
    await timers.advance(TYPING_IDLE_MS);
    assert.deepEqual(told, [{ t: "typing", on: true }]);
  });

  test("when the chat is cleared, then the lines go and new ones are numbered on", () => {
    const { chat } = alone();
    chat.send("one");
    chat.clear();
    chat.notice("left");
    assert.deepEqual(chat.messages.value.map((m) => [m.id, m.from, m.text]), [[2, "system", "left"]]);
  });
});
