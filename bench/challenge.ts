/**
 * The proof-of-work challenge, measured: how long the page takes to solve
 * one in Chromium (from the 428 answer to the solved request, as the page
 * runs it: Web Workers), how long the smoke bots take under Node, and how
 * many identities a server with --challenge always can hand out.
 */
import type { Browser } from "playwright-core";
import { launch } from "../dev/chromium.ts";
import { type Challenge, decodeChallenge } from "../src/protocol/index.ts";
import { solveHere } from "../ui/pow.ts";
import { median } from "./harness.ts";

/**
 * `rounds` fresh pages on a server with --challenge always and --min-age 0:
 * from the page starting its solver (the fetch of the worker script, which
 * it starts once the 428 with the challenge is in hand) to the start of its
 * POST with the solution, per Resource Timing; the median. (The 428 itself
 * may come back before the page's script has even loaded: the page's inline
 * script asks early.)
 */
export async function solveInChromium(url: string, rounds: number): Promise<{ medianMs: number; workers: number }> {
  const browser: Browser = await launch();
  const times: number[] = [];
  let workers = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const context = await browser.newContext({ permissions: ["camera", "microphone"] });
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById("peerServerStatus")?.dataset.state === "connected", undefined, { timeout: 60_000 });
      const gap = await page.evaluate(() => {
        const entries = performance.getEntriesByType("resource");
        const posts = entries.filter((e) => e.name.endsWith("/api/identity"));
        const worker = entries.find((e) => e.name.includes("/assets/pow-worker-"));
        return posts.length === 2 && worker ? posts[1].startTime - worker.startTime : NaN;
      });
      workers = await page.evaluate(() => Math.min(4, navigator.hardwareConcurrency || 1));
      if (!Number.isFinite(gap)) throw new Error("the page did not solve a challenge (expected two identity requests)");
      times.push(gap);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { medianMs: median(times), workers };
}

/** The same kind of challenge solved by the smoke bots' solver (ui/pow.ts, one thread), `rounds` times; the median. */
export async function solveInNode(origin: string, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const challenge = await fetchChallenge(origin);
    const started = performance.now();
    await solveHere(challenge);
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * What the server sustains, `concurrency` requests in flight for `seconds`
 * each: challenges issued (POST → 428), answers verified (one solved answer
 * sent again and again: every check runs, and the single-use check, last,
 * refuses it; a fresh answer would get 201 instead), and identities
 * without a challenge (--challenge off, the reference).
 */
export async function requestsPerSecond(
  origin: string,
  kind: "issue" | "verify" | "plain",
  { concurrency = 32, seconds = 3 } = {},
): Promise<number> {
  const body = kind === "verify" ? JSON.stringify(await solveHere(await fetchChallenge(origin))) : undefined;
  if (body) {
    const first = await post(origin, body);
    if (first !== 201) throw new Error(`a solved challenge got HTTP ${first}`);
  }
  const want = { issue: 428, verify: 403, plain: 201 }[kind];
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const status = await post(origin, body);
      if (status !== want) throw new Error(`${kind}: HTTP ${status}, expected ${want}`);
      done++;
    }
  }));
  return done / seconds;
}

async function post(origin: string, body?: string): Promise<number> {
  const res = await fetch(`${origin}/api/identity`, { method: "POST", body, headers: body ? { "Content-Type": "application/json" } : {} });
  await res.arrayBuffer();
  return res.status;
}

async function fetchChallenge(origin: string): Promise<Challenge> {
  const res = await fetch(`${origin}/api/identity`, { method: "POST" });
  const challenge = decodeChallenge(((await res.json()) as { challenge?: unknown }).challenge);
  if (res.status !== 428 || !challenge) throw new Error(`expected a challenge, got HTTP ${res.status}`);
  return challenge;
}
