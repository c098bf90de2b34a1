/**
 * Visitors in Chromium (dev/chromium.ts launches it): a page per visitor,
 * and a wait for the stranger's video to play. Under CI=true a missing
 * browser fails the run; elsewhere the browser tests are skipped with the reason.
 */
import process from "node:process";
import type { TestContext } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";

export { browserMissing, launch } from "../../dev/chromium.ts";

/** A visitor: its own context (storage, permissions) and page, opened on `url`. */
export async function visitor(
  t: TestContext,
  browser: Browser,
  url: string,
  options: {
    viewport?: { width: number; height: number };
    deny?: boolean;
    /** The browser's language (Accept-Language and navigator.languages), e.g. "zh-CN". */
    locale?: string;
    /** What the visitor chose on an earlier visit (the page's remembered settings). */
    settings?: Record<string, unknown>;
    /** A phone: touch events, and a mobile viewport. */
    phone?: boolean;
    /** For scripts the test injects (axe-core): the page's own policy would refuse them. */
    bypassCSP?: boolean;
    /** Runs in the page before its own scripts (to fake or watch what the browser provides). */
    init?: () => void;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    permissions: options.deny ? [] : ["camera", "microphone"],
    locale: options.locale,
    hasTouch: options.phone,
    isMobile: options.phone,
    bypassCSP: options.bypassCSP,
  });
  if (options.settings) {
    await context.addInitScript((saved) => localStorage.setItem("chatroulette.settings", saved), JSON.stringify(options.settings));
  }
  if (options.init) await context.addInitScript(options.init);
  // Closed with the test: a page left open would go on reconnecting (and loading the machine) for the rest of the run.
  t.after(() => context.close().catch(() => {}));
  const page = await context.newPage();
  page.on("pageerror", (error) => process.stderr.write(`[page error] ${error.message}\n`));
  await page.goto(url);
  return { context, page };
}

/** Resolves when #peerVideo has frames and its clock moves. */
export async function playing(page: Page, selector = "#peerVideo", timeout = 10_000): Promise<void> {
  await page.waitForFunction((sel) => {
    const v = document.querySelector<HTMLVideoElement>(sel);
    if (!v || v.videoWidth === 0 || v.readyState < 2) return false;
    const w = window as unknown as { __t?: Record<string, number> };
    w.__t ??= {};
    const last = w.__t[sel];
    w.__t[sel] = v.currentTime;
    return last !== undefined && v.currentTime > last;
  }, selector, { timeout, polling: 50 });
}
