/**
 * The page's safety features in real Chromium against a real `chatroulette
 * serve`: the consent screen (once per browser, rules as text, before the
 * camera), the proof-of-work challenge solved in a Web Worker under the
 * page's CSP, a report from the page, and a banned page.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { SAFETY_TEXT } from "../ui/model/safety-text.ts";
import { en } from "../ui/i18n/en.ts";
import { browserMissing, launch, playing, visitor } from "./support/browser.ts";
import { serveCli } from "./support/cli.ts";

const missing = browserMissing();
const TOKEN = "e2e-moderator-token-0123";

const state = (page: Page, id: string) => page.$eval(`#${id}`, (el) => (el as HTMLElement).dataset.state);
const until = (page: Page, id: string, value: string, timeout = 15_000) =>
  page.waitForFunction(([i, v]) => document.getElementById(i)?.dataset.state === v, [id, value], { timeout, polling: 20 });
const systemLines = (page: Page) => page.$$eval('#messages li[data-from="system"]', (els) => els.map((el) => el.textContent ?? ""));

/** Counts getUserMedia calls in window.__cameraAsked, before the page's own scripts run. */
const COUNT_CAMERA = `(() => {
  window.__cameraAsked = 0;
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => { window.__cameraAsked++; return real(c); };
})();`;

describe("the page's safety features in Chromium", { skip: missing ?? false }, () => {
  let browser: Browser;
  let dir: string;
  before(async () => {
    browser = await launch();
    dir = await mkdtemp(join(tmpdir(), "chatroulette-rules-"));
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("when a visitor first comes, then the consent screen shows the rules as text before the camera; accepted, it pairs (solving a challenge in a worker) and is not shown again", async (t) => {
    const rules = join(dir, "rules.md");
    await writeFile(rules, "# House rules\n\n- **Be kind.** <img src=x onerror=alert(1)>\n- No spam.\n");
    const server = await serveCli(t, ["--min-age", "21", "--rules", rules, "--challenge", "always"]);
    const context = await browser.newContext({ permissions: ["camera", "microphone"] });
    t.after(() => context.close());
    await context.addInitScript({ content: COUNT_CAMERA });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(server.url);
    await page.waitForSelector("#consent");
    assert.equal(await page.textContent("#consentRules"), "# House rules\n\n- **Be kind.** <img src=x onerror=alert(1)>\n- No spam.");
    assert.equal(await page.$("#consentRules img"), null, "rules are text, never HTML");
    assert.equal(await page.textContent("#consentAccept"), SAFETY_TEXT.consentAccept(21));
    assert.equal(await page.evaluate(() => (window as unknown as { __cameraAsked: number }).__cameraAsked), 0, "no camera before consent");
    assert.equal(await page.$("#peerVideo"), null);

    await page.click("#consentAccept");
    await until(page, "peerServerStatus", "connected");
    assert.ok(await page.evaluate(() => (window as unknown as { __cameraAsked: number }).__cameraAsked) > 0);
    const other = await visitor(t, browser, server.url);
    await other.page.click("#consentAccept");
    await Promise.all([until(page, "peerStatus", "connected"), until(other.page, "peerStatus", "connected")]);
    await playing(page);

    await page.reload();
    await until(page, "peerServerStatus", "connected");
    assert.equal(await page.$("#consent"), null, "accepted once per browser");
    assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused/.test(e)), [], "the worker runs under the page's CSP");
  });

  test("when a visitor reports the stranger from the page, then the pair ends, the chat says so, and the two are not paired again", async (t) => {
    const server = await serveCli(t, ["--min-age", "0"]);
    const a = await visitor(t, browser, server.url);
    const b = await visitor(t, browser, server.url);
    await Promise.all([until(a.page, "peerStatus", "connected"), until(b.page, "peerStatus", "connected")]);
    assert.equal(await a.page.isEnabled("#report"), true);
    await a.page.click("#report");
    const reasons = await a.page.$$eval("#reportReasons [data-reason]", (els) => els.map((el) => el.textContent));
    assert.deepEqual(reasons, ["Nudity or sexual content", "Harassment", "Spam or advertising", "Appears to be under 18", "Something else"]);
    await a.page.keyboard.press("Escape");
    assert.equal(await a.page.$("#reportReasons"), null, "Escape closes the list…");
    assert.equal(await state(a.page, "peerStatus"), "connected", "…and is not taken for Next");
    await a.page.click("#report");
    await a.page.click('#reportReasons [data-reason="harassment"]');

    await a.page.waitForFunction((text) => [...document.querySelectorAll('#messages li[data-from="system"]')].some((li) => li.textContent === text), en[SAFETY_TEXT.reported]);
    await until(a.page, "peerStatus", "waiting");
    await b.page.waitForFunction(() => document.querySelector('#messages li[data-from="system"]:last-child')?.textContent === "Stranger has left.");
    await until(b.page, "peerStatus", "waiting");
    assert.equal(await a.page.isEnabled("#report"), false, "reported once");
    // Both wait, side by side, and are not paired; a third visitor gets the one waiting longest.
    const stats = async () => {
      const { online, waiting } = await (await fetch(`${server.origin}/api/stats`)).json();
      return { online, waiting };
    };
    assert.deepEqual(await stats(), { online: 2, waiting: 2 });
    const c = await visitor(t, browser, server.url);
    await until(c.page, "peerStatus", "connected");
    assert.deepEqual(await stats(), { online: 3, waiting: 1 });
    assert.ok(await systemLines(a.page).then((l) => l.length > 0));
  });

  test("when the visitor's address is banned, then the page closes its chat and shows the banned state with the end in local time", async (t) => {
    const server = await serveCli(t, ["--min-age", "0", "--admin-token", TOKEN]);
    const { page } = await visitor(t, browser, server.url);
    await until(page, "peerServerStatus", "connected");
    const res = await fetch(`${server.origin}/api/admin/bans`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ address: "127.0.0.1", duration: "2h", note: "e2e" }),
    });
    const { ban } = await res.json();
    await until(page, "peerServerStatus", "banned");
    const local = await page.evaluate((iso) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }), ban.until);
    assert.equal(await page.textContent("#bannedMessage"), SAFETY_TEXT.banned(local));
    assert.match(await page.textContent("#bannedMessage") ?? "", /^You were reported by several people and can't use chatroulette until .+\.$/);
    assert.equal(await page.$("#peerVideo"), null, "no spinner, no chat");
    assert.equal(await state(page, "peerStatus"), "idle");
  });
});
