/**
 * The page end to end: real Chromium pages (fake camera and microphone)
 * against a real `chatroulette serve` on port 0, pairing over loopback WebRTC.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, describe, test, type TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserMissing, launch, playing, visitor } from "./support/browser.ts";
import { ROOT, serveCli } from "./support/cli.ts";

const missing = browserMissing();
const SCREENSHOTS = `${ROOT}test-results/screenshots`;

const state = (page: Page, id: string) => page.$eval(`#${id}`, (el) => (el as HTMLElement).dataset.state);
const until = (page: Page, id: string, value: string, timeout = 10_000) =>
  page.waitForFunction(([i, v]) => document.getElementById(i)?.dataset.state === v, [id, value], { timeout, polling: 20 });
const lines = (page: Page, from?: string) =>
  page.$$eval(`#messages li${from ? `[data-from="${from}"]` : ""}`, (els) => els.map((el) => el.textContent ?? ""));

async function say(page: Page, text: string) {
  await page.fill("#message-input-box", text);
  await page.press("#message-input-box", "Enter");
}

async function heard(page: Page, text: string, timeout = 5000) {
  await page.waitForFunction(
    (t) => [...document.querySelectorAll('#messages li[data-from="stranger"]')].some((li) => li.textContent === t),
    text,
    { timeout, polling: 20 },
  );
}

/** Keeps every stranger line the page ever shows in window.heard (the list itself is cleared per partner). */
async function recordHeard(page: Page) {
  await page.evaluate(() => {
    const heard: string[] = [];
    (window as unknown as { heard: string[] }).heard = heard;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (node instanceof HTMLElement && node.matches('li[data-from="stranger"]')) heard.push(node.textContent ?? "");
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

/** Mean brightness (0–255) of what #peerVideo shows now. */
function brightness(page: Page): Promise<number> {
  return page.$eval("#peerVideo", (v) => {
    const video = v as HTMLVideoElement;
    const canvas = Object.assign(document.createElement("canvas"), { width: 64, height: 48 });
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
    return sum / (data.length / 4);
  });
}

async function brightnessBecomes(page: Page, test: (b: number) => boolean, timeout = 10_000): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const b = await brightness(page);
    if (test(b)) return b;
    if (Date.now() > deadline) throw new Error(`#peerVideo brightness stayed at ${b.toFixed(1)}`);
    await page.waitForTimeout(50);
  }
}

/** When (our clock) /api/stats first counts `online` visitors; polled every 20 ms, so at most that late. */
async function serverSeesOnline(origin: string, online: number, timeout: number): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const stats = (await (await fetch(`${origin}/api/stats`)).json()) as { online: number };
    if (stats.online === online) return Date.now();
    if (Date.now() > deadline) throw new Error(`the server still counts ${stats.online} visitors online`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `chatroulette serve` for these tests: no consent screen (test/e2e-safety.test.ts has it). */
const serve = (t: TestContext, flags: string[] = []) => serveCli(t, ["--min-age", "0", ...flags]);

/** Two visitors on a fresh server, paired and both playing the other's video. */
async function pair(t: TestContext, browser: Browser) {
  const server = await serve(t);
  const a = await visitor(t, browser, server.url);
  const b = await visitor(t, browser, server.url);
  await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
  await Promise.all([playing(a.page), playing(b.page)]);
  return { server, a, b };
}

describe("the page in Chromium", { skip: missing ?? false }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  after(() => browser?.close());

  test("when two visitors open the page, then they pair by themselves, see each other and chat both ways", async (t) => {
    const { a, b } = await pair(t, browser);
    assert.equal(await state(a.page, "peerServerStatus"), "connected");
    const early = await a.page.evaluate(() => typeof (window as { earlyIdentity?: unknown }).earlyIdentity);
    assert.equal(early, "object", "the page's inline script ran under its Content-Security-Policy");
    assert.match(await a.page.textContent("#peerStatus") ?? "", /Chatting with a stranger/);
    assert.deepEqual(await lines(a.page, "system"), ["You're now chatting with a random stranger. Say hi!"]);
    const labels = await a.page.$$eval("#audioInput option, #videoInput option", (os) => os.map((o) => o.textContent));
    assert.ok(labels.every((l) => l && !/^(Microphone|Camera) \d/.test(l)), `real device names: ${labels}`);

    await b.page.type("#message-input-box", "typing", { delay: 10 });
    await a.page.waitForSelector(".typing:text('Stranger is typing…')", { timeout: 5000 });
    await b.page.press("#message-input-box", "Enter");
    await heard(a.page, "typing");
    assert.equal(await a.page.textContent(".typing"), "", "the indicator goes when the message comes");
    await say(a.page, "hello from A");
    await heard(b.page, "hello from A");
    assert.deepEqual(await lines(a.page, "me"), ["hello from A"]);
    await a.page.screenshot({ path: `${SCREENSHOTS}/desktop.png` });
  });

  test("when a third visitor waits and A presses Next, then A and C see each other, B is re-queued, and nothing of A's reaches B", async (t) => {
    const { server, a, b } = await pair(t, browser);
    const c = await visitor(t, browser, server.url);
    await until(c.page, "peerStatus", "waiting");
    await a.page.click("#next");
    await Promise.all([until(a.page, "peerStatus", "connected"), until(c.page, "peerStatus", "connected")]);
    await Promise.all([playing(a.page), playing(c.page)]);
    await b.page.waitForFunction(() => document.querySelector('#messages li[data-from="system"]:last-child')?.textContent === "Stranger has left.");
    assert.equal(await state(b.page, "peerStatus"), "waiting", "B is looking again by itself");

    // A keeps moving on; whoever waits gets A. Every line A sends names its
    // intended reader, and each page records every line it is ever shown.
    const pages = { b: b.page, c: c.page };
    for (const page of Object.values(pages)) await recordHeard(page);
    let partner: "b" | "c" = "c";
    for (let round = 0; round < 4; round++) {
      await say(a.page, `[for ${partner}] round ${round}`);
      await heard(pages[partner], `[for ${partner}] round ${round}`);
      partner = partner === "b" ? "c" : "b";
      await until(pages[partner], "peerStatus", "waiting");
      await a.page.keyboard.press("Escape"); // the keyboard shortcut for Next
      await until(a.page, "peerStatus", "connected");
      await until(pages[partner], "peerStatus", "connected");
      assert.equal(await a.page.evaluate(() => document.activeElement?.id), "message-input-box", "typing goes on across Next");
      await say(a.page, `[for ${partner}] round ${round}, just after Next`);
      await heard(pages[partner], `[for ${partner}] round ${round}, just after Next`);
    }
    for (const [name, page] of Object.entries(pages)) {
      const all = await page.evaluate(() => (window as unknown as { heard: string[] }).heard);
      assert.ok(all.length >= 4);
      assert.deepEqual(all.filter((line) => !line.startsWith(`[for ${name}]`)), [], `${name} was shown lines meant for others`);
    }
  });

  test("when the camera is toggled off, then the partner's picture goes black, and comes back when on; the audio toggle flips the track", async (t) => {
    const { a, b } = await pair(t, browser);
    assert.ok(await brightnessBecomes(b.page, (x) => x > 40) > 40, "the fake camera is bright");
    await a.page.click("#videoToggle");
    assert.equal(await a.page.isChecked("#videoToggle"), false);
    await brightnessBecomes(b.page, (x) => x < 8);
    await b.page.waitForFunction(() => document.querySelector("#peerVideo + figcaption")?.textContent === "The stranger paused their video");
    await a.page.click("#videoToggle");
    await brightnessBecomes(b.page, (x) => x > 40);
    const audio = () => a.page.$eval("#localVideo", (v) => ((v as HTMLVideoElement).srcObject as MediaStream).getAudioTracks()[0].enabled);
    assert.equal(await audio(), true);
    await a.page.click("#audioToggle");
    assert.equal(await audio(), false);
    await a.page.click("#audioToggle");
    assert.equal(await audio(), true);
  });

  test("when a microphone is picked during a call, then the track is swapped live without a new connection", async (t) => {
    const { a, b } = await pair(t, browser);
    const options = await a.page.$$eval("#audioInput option", (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(options.length >= 2, "Chromium's fake devices include several microphones");
    const label = () => a.page.$eval("#localVideo", (v) => ((v as HTMLVideoElement).srcObject as MediaStream).getAudioTracks()[0].label);
    const before = await label();
    await a.page.selectOption("#audioInput", options[options.length - 1]);
    await a.page.waitForFunction((old) => {
      const s = (document.querySelector("#localVideo") as HTMLVideoElement).srcObject as MediaStream;
      return s.getAudioTracks()[0].label !== old;
    }, before);
    assert.equal(await state(a.page, "peerStatus"), "connected");
    assert.deepEqual(await lines(b.page, "system"), ["You're now chatting with a random stranger. Say hi!"], "no re-pair");
    await playing(b.page);
  });

  test("when a stranger sends HTML, then it shows as text and runs nothing", async (t) => {
    const { a, b } = await pair(t, browser);
    const dialogs: string[] = [];
    b.page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const evil = "<img src=x onerror=alert(1)>";
    await say(a.page, evil);
    await heard(b.page, evil);
    assert.equal(await b.page.$("#messages img"), null);
    await b.page.waitForTimeout(300); // an onerror would fire as soon as the image failed
    assert.deepEqual(dialogs, []);
  });

  test("when the stranger's browser vanishes, then the page says they left within 2 s of the server seeing it, and looks again", async (t) => {
    const { server, a, b } = await pair(t, browser);
    // The page's own clock stamps the line as it appears (the same clock as ours: one machine).
    await a.page.evaluate(() => {
      const w = window as unknown as { leftAt?: number };
      new MutationObserver(() => {
        const last = document.querySelector('#messages li[data-from="system"]:last-child');
        if (w.leftAt === undefined && last?.textContent === "Stranger has left.") w.leftAt = Date.now();
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    // The tab goes (no beforeunload, no goodbye). Not awaited: closing a tab or context can take
    // Chromium seconds to minutes under CI load (a context took 330 s twice, a tab over 2 s once),
    // long after its socket is gone. So the 2 s run from the server seeing the socket close, which
    // a killed browser does at once: the heartbeat's timeout (30 s) is not what tells the stranger.
    const closed = b.page.close({ runBeforeUnload: false });
    const seen = await serverSeesOnline(server.origin, 1, 25_000);
    await a.page.waitForFunction(() => (window as unknown as { leftAt?: number }).leftAt !== undefined, undefined, {
      timeout: 10_000,
      polling: 50,
    });
    const leftAt = await a.page.evaluate(() => (window as unknown as { leftAt: number }).leftAt);
    assert.ok(leftAt - seen < 2000, `the page said so ${leftAt - seen} ms after the server saw the socket close`);
    await until(a.page, "peerStatus", "waiting");
    await closed;
  });

  test("when camera access is denied, then the page says so and the visitor still chats by text", async (t) => {
    const server = await serve(t);
    const denied = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    t.after(() => denied.close());
    // What a browser does when the visitor clicks "Block".
    await denied.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
    const d = await denied.newPage();
    await d.goto(server.url);
    const e = await visitor(t, browser, server.url);
    await Promise.all([until(d, "peerStatus", "connected"), until(e.page, "peerStatus", "connected")]);
    assert.match(await d.textContent(".problem") ?? "", /blocked for this site/);
    assert.ok(await d.$(".problem button"), "a retry is offered");
    await e.page.waitForFunction(() => document.querySelector("#peerVideo + figcaption")?.textContent === "The stranger has no camera");
    await say(d, "no camera, still here");
    await heard(e.page, "no camera, still here");
    await playing(d); // and the denied visitor still sees the stranger
  });

  test("when the server refuses the visitor's country, then the page says so and stops", async (t) => {
    const server = await serve(t, ["--unknown-country", "block"]);
    const { page } = await visitor(t, browser, server.url);
    await until(page, "peerServerStatus", "blocked");
    assert.match(await page.textContent(".notice") ?? "", /not available from your network/);
    assert.equal(await state(page, "peerStatus"), "idle");
  });

  test("when opened on a phone, then the stranger fills the screen, chat opens over the video with its unread count, and a swipe left is Next", async (t) => {
    const server = await serve(t);
    const phone = { viewport: { width: 390, height: 844 }, phone: true };
    const a = await visitor(t, browser, server.url, phone);
    const b = await visitor(t, browser, server.url, phone);
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    await playing(a.page);
    const box = async (sel: string) => (await a.page.locator(sel).boundingBox())!;
    const [remote, local, next] = await Promise.all([box("#peerVideo"), box("#localVideo"), box("#next")]);
    assert.deepEqual([remote.x, remote.width], [0, 390], "the stranger's video is full width");
    assert.ok(remote.height >= 844 * 0.9, `and (nearly) full height: ${remote.height}`);
    assert.ok(local.width < 390 / 2 && local.x > 390 / 2, "self view is a small tile in a corner");
    assert.ok(next.y + next.height > 844 - 90, "Next is in the thumb bar at the bottom");
    assert.equal(await a.page.isVisible("#messages-container"), false, "chat is closed at first");

    await b.page.click("#openChat");
    await say(b.page, "from a phone");
    await a.page.waitForFunction(() => document.querySelector("#openChat .badge")?.textContent === "1");
    await a.page.click("#openChat");
    await heard(a.page, "from a phone");
    const chat = await box("#messages-container");
    assert.ok(chat.y >= remote.y && chat.y + chat.height <= remote.y + remote.height, "the chat lies over the video");
    assert.equal(await a.page.$("#openChat .badge"), null, "read once open");
    await say(a.page, "and back");
    await heard(b.page, "and back");
    await a.page.screenshot({ path: `${SCREENSHOTS}/phone-chat.png` });
    await a.page.click(".chat .close");
    assert.equal(await a.page.isVisible("#messages-container"), false);
    await a.page.screenshot({ path: `${SCREENSHOTS}/phone.png` });

    // A swipe to the left, as a finger makes it.
    await a.page.$eval("#peerVideo", (el) => {
      const from = [new Touch({ identifier: 1, target: el, clientX: 300, clientY: 400 })];
      const to = [new Touch({ identifier: 1, target: el, clientX: 120, clientY: 410 })];
      el.dispatchEvent(new TouchEvent("touchstart", { touches: from, changedTouches: from, bubbles: true }));
      el.dispatchEvent(new TouchEvent("touchend", { touches: [], changedTouches: to, bubbles: true }));
    });
    await b.page.waitForFunction(() => document.querySelector('#messages li[data-from="system"]:last-child')?.textContent === "Stranger has left.");
  });
});
