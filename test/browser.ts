/**
 * Debian's Chromium driven by playwright-core, with fake camera and
 * microphone and WebRTC allowed on loopback. Under CI=true a missing browser
 * fails the run; elsewhere the browser tests are skipped with the reason.
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${why}`);
  return why;
}

const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection",
];

/** Chromium with fake media; the caller closes it. */
export function launch(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraFlags] });
}

/** A visitor: its own context (storage, permissions) and page, opened on `url`. */
export async function visitor(
  browser: Browser,
  url: string,
  options: { viewport?: { width: number; height: number }; deny?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    permissions: options.deny ? [] : ["camera", "microphone"],
  });
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
