/**
 * Debian's Chromium for the tests and the bench, driven by playwright-core,
 * with fake camera and microphone and WebRTC allowed on loopback. Never a
 * downloaded browser.
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why browser tests cannot run here, or null when they can. Under CI=true a missing browser is an error. */
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
  // Without these, Chromium reaches for Google's hosts, refused on a closed network.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  // Without it Chromium skips loopback candidates and ICE never starts.
  "--allow-loopback-in-peer-connection",
];

/** Chromium with fake media; the caller closes it. */
export function launch(extraFlags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraFlags] });
}
