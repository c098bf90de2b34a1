/**
 * Page timings in Chromium (fake media, loopback): each page records, on
 * the system clock, when it finished loading, when #peerStatus said
 * "connected", when #next was pressed and each time #peerVideo fired
 * "playing"; the harness compares those marks across pages.
 */
import type { Browser, Page } from "playwright-core";
import { launch } from "../dev/chromium.ts";
import { median } from "./harness.ts";

interface Marks {
  load: number;
  connected: number[];
  next: number[];
  playing: number[];
}

/**
 * Installed before the page's own scripts: marks on the shared wall clock.
 * Kept as page JavaScript text, since a compiled function would carry the
 * compiler's helpers with it.
 */
const RECORDER = `(() => {
  const clock = () => performance.timeOrigin + performance.now();
  const marks = { load: 0, connected: [], next: [], playing: [] };
  window.marks = marks;
  addEventListener("load", () => {
    marks.load = performance.timeOrigin + performance.getEntriesByType("navigation")[0].loadEventStart;
  });
  // The media element's own "playing": its first frame is decoded and playback runs.
  // (Media events do not bubble, but they can be caught on the way down.)
  document.addEventListener("playing", (event) => {
    if (event.target.id === "peerVideo") marks.playing.push(clock());
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("#next")) marks.next.push(clock());
  }, true);
  let last = "";
  new MutationObserver(() => {
    const state = document.getElementById("peerStatus")?.dataset.state ?? "";
    if (state === "connected" && last !== "connected") marks.connected.push(clock());
    last = state;
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"], childList: true });
})();`;

async function open(browser: Browser, url: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  await context.addInitScript({ content: RECORDER });
  const page = await context.newPage();
  await page.goto(url);
  return { page, close: () => context.close() };
}

const marks = (page: Page) => page.evaluate(() => (window as unknown as { marks: Marks }).marks);

async function until(page: Page, check: (m: Marks) => boolean): Promise<Marks> {
  for (let i = 0; i < 400; i++) {
    const m = await marks(page);
    if (check(m)) return m;
    await page.waitForTimeout(25);
  }
  throw new Error("page never reached the expected state");
}

export interface PageTimings {
  pairPlayingMs: number;
  pairConnectedMs: number;
  nextPlayingMs: number;
  rounds: number;
}

/**
 * `rounds` times: two pages load together and pair; then a third waits and
 * the first presses #next. Medians of each.
 */
export async function pageTimings(url: string, rounds: number): Promise<PageTimings> {
  const browser = await launch();
  const playing: number[] = [];
  const connected: number[] = [];
  const next: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const [a, b] = await Promise.all([open(browser, url), open(browser, url)]);
      const [ma, mb] = await Promise.all([a, b].map(({ page }) => until(page, (m) => m.playing.length > 0 && m.connected.length > 0)));
      const loaded = Math.max(ma.load, mb.load);
      playing.push(Math.max(ma.playing[0], mb.playing[0]) - loaded);
      connected.push(Math.max(ma.connected[0], mb.connected[0]) - loaded);

      const c = await open(browser, url);
      await c.page.waitForFunction(() => document.getElementById("peerStatus")?.dataset.state === "waiting");
      await a.page.click("#next");
      const [na, nc] = await Promise.all([
        until(a.page, (m) => m.playing.length > 1),
        until(c.page, (m) => m.playing.length > 0),
      ]);
      next.push(Math.max(na.playing[1], nc.playing[0]) - na.next[0]);
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  } finally {
    await browser.close();
  }
  return { pairPlayingMs: median(playing), pairConnectedMs: median(connected), nextPlayingMs: median(next), rounds };
}
