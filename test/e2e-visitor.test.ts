/**
 * What visitors expect beyond the book, end to end in real Chromium against a
 * real `chatroulette serve`: interests, text only, screen sharing, Chinese,
 * a stage that does not jump, an installable page, and an accessibility audit
 * (axe-core's WCAG 2.1 A/AA rules) of every state and layout a visitor sees.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserMissing, launch, playing, visitor } from "./support/browser.ts";
import { ROOT, serveCli } from "./support/cli.ts";

const missing = browserMissing();
const SCREENSHOTS = `${ROOT}test-results/screenshots`;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const PHONE = { width: 390, height: 844 };

const until = (page: Page, id: string, value: string, timeout = 15_000) =>
  page.waitForFunction(([i, v]) => document.getElementById(i)?.dataset.state === v, [id, value], { timeout, polling: 20 });
const system = (page: Page) => page.$$eval('#messages li[data-from="system"]', (els) => els.map((el) => el.textContent ?? ""));

async function heard(page: Page, text: string, timeout = 5000) {
  await page.waitForFunction(
    (t) => [...document.querySelectorAll('#messages li[data-from="stranger"]')].some((li) => li.textContent === t),
    text,
    { timeout, polling: 20 },
  );
}

async function say(page: Page, text: string) {
  await page.fill("#message-input-box", text);
  await page.press("#message-input-box", "Enter");
}

/** Mean red, green and blue (0–255) of what #peerVideo shows now. */
function colour(page: Page): Promise<[number, number, number]> {
  return page.$eval("#peerVideo", (v) => {
    const canvas = Object.assign(document.createElement("canvas"), { width: 64, height: 48 });
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(v as HTMLVideoElement, 0, 0, canvas.width, canvas.height);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
    return sum.map((s) => s / (data.length / 4)) as [number, number, number];
  });
}

async function colourBecomes(page: Page, test: (rgb: [number, number, number]) => boolean, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const rgb = await colour(page);
    if (test(rgb)) return rgb;
    if (Date.now() > deadline) throw new Error(`#peerVideo stayed at rgb(${rgb.map(Math.round).join(", ")})`);
    await page.waitForTimeout(50);
  }
}

const magenta = ([r, g, b]: [number, number, number]) => r > 170 && b > 170 && g < 90;

/** axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now: the violations, one line each. */
async function audit(page: Page): Promise<string[]> {
  if (!await page.evaluate(() => "axe" in window)) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}

/** Where the stranger's area (.screen) and the self-view tile are, in CSS pixels. */
async function boxes(page: Page) {
  const box = async (selector: string) => {
    const b = await page.locator(selector).boundingBox();
    if (!b) throw new Error(`${selector} is not shown`);
    return b;
  };
  return { screen: await box(".screen"), self: await box(".self") };
}

/** Sums every layout shift not caused by the visitor's own input into window.cls (the CLS of the whole visit). */
function watchLayoutShifts() {
  const w = window as unknown as { cls: number };
  w.cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (!e.hadRecentInput) w.cls += e.value;
    }
  }).observe({ type: "layout-shift", buffered: true });
}

describe("visitor features in Chromium", { skip: missing ?? false }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  after(() => browser?.close());

  test("when two visitors share an interest, then they pair before a third without, and both see which one", async (t) => {
    const server = await serveCli(t, ["--interest-wait", "60", "--min-age", "0"]);
    // A French speaker with no interests waits first: nothing in common with the two who come next.
    const c = await visitor(t, browser, server.url, { settings: { speak: "fr" } });
    await until(c.page, "peerStatus", "waiting");
    const a = await visitor(t, browser, server.url, { settings: { speak: "en", interests: ["music", "chess"] } });
    await until(a.page, "peerStatus", "waiting");
    assert.deepEqual(await a.page.$$eval(".tags li", (els) => els.map((el) => el.firstChild?.textContent)), ["music", "chess"]);
    const b = await visitor(t, browser, server.url, { settings: { speak: "en", interests: ["chess"] } });
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    for (const page of [a.page, b.page]) {
      await page.waitForFunction(() => [...document.querySelectorAll('#messages li[data-from="system"]')].some((li) => li.textContent === "You both like: chess"));
    }
    assert.ok(!(await system(b.page)).some((line) => line.includes("music")), "interests not shared are never shown");
    assert.equal(await c.page.$eval("#peerStatus", (el) => (el as HTMLElement).dataset.state), "waiting", "the third still waits");
  });

  test("when the server runs with --preferences, then 'I am' and 'Show me' appear, labelled self-declared, pass the audit, and filter both ways at once; without it they are absent", async (t) => {
    const plain = await serveCli(t, ["--min-age", "0"]);
    const p = await visitor(t, browser, plain.url);
    await until(p.page, "peerStatus", "waiting");
    assert.deepEqual([await p.page.$("#myGender"), await p.page.$("#lookingFor")], [null, null], "no such controls without --preferences");
    await p.context.close();

    const server = await serveCli(t, ["--min-age", "0", "--preferences"]);
    const a = await visitor(t, browser, server.url, { settings: { gender: "man", lookingFor: "women" }, bypassCSP: true });
    await until(a.page, "peerStatus", "waiting");
    assert.deepEqual([await a.page.inputValue("#myGender"), await a.page.inputValue("#lookingFor")], ["man", "women"]);
    assert.equal(await a.page.textContent(".preferences .hint"), "Self-declared, never verified.");
    assert.deepEqual(await audit(a.page), []);
    // Someone who declares nothing is not what the first asked for: both wait.
    const b = await visitor(t, browser, server.url);
    await until(b.page, "peerStatus", "waiting");
    assert.equal(await a.page.$eval("#peerStatus", (el) => (el as HTMLElement).dataset.state), "waiting");
    // Declared through the page while waiting: it asks again at once, and now both fit.
    await b.page.selectOption("#myGender", "woman");
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
  });

  test("when visitors choose text only, then they pair with each other, never with a video visitor, and no camera is asked for", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    const video = await visitor(t, browser, server.url);
    await until(video.page, "peerStatus", "waiting");
    const asked = async (page: Page) => page.evaluate(() => (window as unknown as { cameraAsked: number }).cameraAsked);
    const counting = () => {
      const w = window as unknown as { cameraAsked: number };
      w.cameraAsked = 0;
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) => {
        w.cameraAsked++;
        return real(c);
      };
    };
    const a = await visitor(t, browser, server.url, { settings: { textOnly: true }, init: counting });
    const b = await visitor(t, browser, server.url, { settings: { textOnly: true }, init: counting });
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    assert.equal(await a.page.isChecked("#textOnly"), true);
    await say(a.page, "just words");
    await heard(b.page, "just words");
    assert.equal(await asked(a.page), 0);
    assert.equal(await asked(b.page), 0);
    assert.equal(await a.page.$("#videoToggle"), null, "no camera controls in text only");
    assert.equal(await video.page.$eval("#peerStatus", (el) => (el as HTMLElement).dataset.state), "waiting", "the video visitor still waits");
  });

  test("when a visitor turns the stranger down or mutes them, then the stranger's video element plays at that volume or silent, on this side only", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    const a = await visitor(t, browser, server.url);
    await until(a.page, "peerStatus", "waiting");
    const b = await visitor(t, browser, server.url);
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    await playing(a.page);
    const heard = (page: Page) => page.$eval("#peerVideo", (v) => ({ volume: (v as HTMLVideoElement).volume, muted: (v as HTMLVideoElement).muted }));
    const slide = (page: Page, value: number) =>
      page.$eval("#peerVolume", (el, v) => {
        (el as HTMLInputElement).value = String(v);
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }, value);
    await slide(a.page, 30);
    await a.page.waitForFunction(() => (document.getElementById("peerVideo") as HTMLVideoElement).volume === 0.3);
    await a.page.click("#muteStranger");
    // Preact applies it on its next frame, after the click has returned.
    await a.page.waitForFunction(() => (document.getElementById("peerVideo") as HTMLVideoElement).muted);
    assert.deepEqual(await heard(a.page), { volume: 0.3, muted: true });
    assert.equal(await a.page.getAttribute("#muteStranger", "aria-pressed"), "true");
    assert.deepEqual(await heard(b.page), { volume: 1, muted: false }, "the stranger's own page is untouched");
    // Turning the volume up again is meant to be heard.
    await slide(a.page, 60);
    await a.page.waitForFunction(() => !(document.getElementById("peerVideo") as HTMLVideoElement).muted);
    assert.deepEqual(await heard(a.page), { volume: 0.6, muted: false });
  });

  test("when a visitor shares a screen, then the stranger sees it instead of the camera, and the camera again when the browser stops it", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    // Chromium has no fake screen: the "screen" is a magenta canvas, handed out as the browser would.
    const a = await visitor(t, browser, server.url, {
      init: () => {
        navigator.mediaDevices.getDisplayMedia = async () => {
          const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
          const ctx = canvas.getContext("2d")!;
          // (No named functions in here: tsx's helper for their names does not exist in the page.)
          let frame = 0;
          setInterval(() => {
            // A canvas that does not change gives no new frames: alternate two shades of magenta.
            ctx.fillStyle = frame++ % 2 ? "#ff00ff" : "#fa00fa";
            ctx.fillRect(0, 0, canvas.width, canvas.height);
          }, 50);
          const stream = canvas.captureStream(15);
          (window as unknown as { screenTrack: MediaStreamTrack }).screenTrack = stream.getVideoTracks()[0];
          return stream;
        };
      },
    });
    const b = await visitor(t, browser, server.url);
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    await playing(b.page);
    assert.ok(!magenta(await colour(b.page)), "the camera first");
    await a.page.click("#screenShare");
    await colourBecomes(b.page, magenta);
    assert.equal(await a.page.getAttribute("#screenShare", "aria-pressed"), "true");
    // The browser's own "Stop sharing": the track ends.
    await a.page.evaluate(() => {
      const track = (window as unknown as { screenTrack: MediaStreamTrack }).screenTrack;
      track.stop();
      track.dispatchEvent(new Event("ended"));
    });
    await colourBecomes(b.page, (rgb) => !magenta(rgb));
    assert.equal(await a.page.getAttribute("#screenShare", "aria-pressed"), "false");
    assert.equal((await system(b.page)).filter((l) => l.startsWith("You're now chatting")).length, 1, "the same call throughout");
  });

  test("when the browser asks for Chinese, then the page is in Chinese from the first paint, and #language switches it to English", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    const a = await visitor(t, browser, server.url, { locale: "zh-CN" });
    const b = await visitor(t, browser, server.url, { locale: "zh-CN" });
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    assert.match(await a.page.getAttribute("html", "lang") ?? "", /^zh/);
    assert.equal(await a.page.textContent("#peerStatus"), "正在和陌生人聊天");
    assert.match(await a.page.textContent("#next") ?? "", /下一位/);
    assert.deepEqual(await system(a.page), ["你正在和一位随机的陌生人聊天。打个招呼吧！"]);
    await a.page.selectOption("#language", "en");
    // Preact renders the switch on its next frame, not within selectOption: wait for it (seen late under load).
    const english = () => a.page.waitForFunction(
      () => document.documentElement.lang === "en" && document.getElementById("peerStatus")?.textContent === "Chatting with a stranger",
      undefined,
      { timeout: 5000, polling: 20 },
    );
    await english();
    await a.page.reload();
    await until(a.page, "peerStatus", "connected");
    await english(); // the visitor's choice is remembered
  });

  test("when a page loads and a stranger connects, then the layout shifts less than 0.1 (CLS) on a desktop and on a phone, and the stranger's area keeps its full shape with the self-view inside it", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    for (const viewport of [undefined, PHONE]) {
      const where = viewport ? "a phone" : "a desktop";
      const a = await visitor(t, browser, server.url, { viewport, phone: viewport !== undefined, init: watchLayoutShifts });
      await until(a.page, "peerStatus", "waiting");
      const waiting = await boxes(a.page);
      const b = await visitor(t, browser, server.url, { viewport, phone: viewport !== undefined });
      await until(a.page, "peerStatus", "connected");
      await playing(a.page);
      await a.page.waitForTimeout(200); // a shift is reported after the frame that made it
      const cls = await a.page.evaluate(() => (window as unknown as { cls: number }).cls);
      t.diagnostic(`CLS from load to connected on ${where}: ${cls.toFixed(4)}`);
      assert.ok(cls < 0.1, `CLS ${cls.toFixed(3)} on ${where}`);
      // The stranger's area has its full shape while waiting, and the self-view stays inside it.
      const connected = await boxes(a.page);
      assert.deepEqual(connected.screen, waiting.screen, `the stranger's area on ${where} is the same waiting and connected`);
      const viewportHeight = viewport?.height ?? 800; // support/browser.ts: a desktop is 1280×800
      assert.ok(waiting.screen.height >= viewportHeight / 2, `the stranger's area on ${where} is ${waiting.screen.height} px tall while waiting`);
      for (const [state, box] of [["waiting", waiting], ["connected", connected]] as const) {
        const { self, screen } = box;
        const inside = self.x >= screen.x && self.y >= screen.y && self.x + self.width <= screen.x + screen.width + 0.5 &&
          self.y + self.height <= screen.y + screen.height + 0.5;
        assert.ok(inside, `the self-view on ${where}, ${state}, is inside the stranger's area: ${JSON.stringify(box)}`);
      }
      await Promise.all([a.context.close(), b.context.close()]);
    }
  });

  test("when axe-core audits the page waiting and paired, on a desktop and a phone, in English and Chinese, then it finds nothing", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    const found: string[] = [];
    for (const locale of ["en-US", "zh-CN"]) {
      for (const viewport of [undefined, PHONE]) {
        const where = `${locale}, ${viewport ? "phone" : "desktop"}`;
        const options = { locale, viewport, phone: viewport !== undefined, bypassCSP: true };
        const a = await visitor(t, browser, server.url, options);
        await until(a.page, "peerStatus", "waiting");
        for (const v of await audit(a.page)) found.push(`${where}, waiting: ${v}`);
        const b = await visitor(t, browser, server.url, options);
        await until(a.page, "peerStatus", "connected");
        await playing(a.page);
        if (viewport) await b.page.click("#openChat");
        await say(b.page, "hi");
        await heard(a.page, "hi");
        for (const v of await audit(a.page)) found.push(`${where}, paired: ${v}`);
        if (viewport) {
          await a.page.click("#openChat");
          for (const v of await audit(a.page)) found.push(`${where}, chat open: ${v}`);
          await a.page.click("#openSettings");
          for (const v of await audit(a.page)) found.push(`${where}, settings open: ${v}`);
        }
        await Promise.all([a.context.close(), b.context.close()]);
      }
    }
    assert.deepEqual(found, []);
  });

  test("when a phone looks at the page, then it can be installed (Chromium finds no installability error but incognito)", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    const { page } = await visitor(t, browser, server.url, { viewport: PHONE, phone: true });
    await until(page, "peerStatus", "waiting");
    const cdp = await page.context().newCDPSession(page);
    const manifest = await cdp.send("Page.getAppManifest");
    assert.deepEqual(manifest.errors, []);
    // Playwright's contexts are incognito, where Chromium installs nothing: that is the one error allowed.
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== "in-incognito"), []);
  });
});
