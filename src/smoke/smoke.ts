/**
 * `chatroulette smoke <url> [url…]`: checks a live deployment end to end with
 * bot visitors (see bot.ts): identity, signaling socket, queue, match, data
 * channel, a message each way, optionally video frames, then — with two
 * pairs or more — a stranger leaving and Next re-pairing, and leaving cleanly.
 * Given several URLs (the processes of one cluster), the bots take them in
 * turn, so each pair spans two processes. Each step is timed; the first
 * failure ends the run with its reason.
 */
import { randomBytes } from "node:crypto";
import process from "node:process";
import type { ClientConfig } from "../protocol/index.ts";
import { TEXT } from "../../ui/model/text.ts";
import { Bot, StepFailed } from "./bot.ts";
import { loadPeerJs, socketError } from "./webrtc.ts";

type Runtime = Awaited<ReturnType<typeof loadPeerJs>>;

export interface SmokeOptions {
  /** One deployment, or the processes of one cluster (bots are spread over them). */
  readonly urls: readonly string[];
  readonly pairs: number;
  readonly timeoutMs: number;
  /** The signaling path, when not the one the server's /api/config gives. */
  readonly path?: string;
  readonly insecure: boolean;
  readonly media: boolean;
}

export interface Step {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
  readonly error?: string;
}

export interface SmokeReport {
  readonly urls: readonly string[];
  readonly pool: string;
  readonly pairs: number;
  readonly ok: boolean;
  /** The URL could not be reached, or is not a chatroulette server. */
  readonly unreachable: boolean;
  readonly steps: readonly Step[];
  readonly totalMs: number;
}

/** The server was not there to test. */
class Unreachable extends Error {
  override name = "Unreachable";
}

/**
 * @example
 * const report = await runSmoke({ url: "https://chat.example.org/", pairs: 2, timeoutMs: 10_000, insecure: false, media: false });
 * report.ok; // every step passed
 */
export async function runSmoke(options: SmokeOptions, onStep: (step: Step) => void = () => {}): Promise<SmokeReport> {
  const started = performance.now();
  const origins = options.urls.map((url) => new URL(url).origin);
  const pool = `smoke-${randomBytes(6).toString("hex")}`;
  const steps: Step[] = [];
  const bots: Bot[] = [];
  let unreachable = false;

  const step = async (name: string, run: () => Promise<unknown>) => {
    const t = performance.now();
    try {
      await run();
    } catch (error) {
      const failed = { name, ms: performance.now() - t, ok: false, error: (error as Error).message };
      steps.push(failed);
      onStep(failed);
      throw error;
    }
    const done = { name, ms: performance.now() - t, ok: true };
    steps.push(done);
    onStep(done);
  };

  try {
    let configs!: ClientConfig[];
    let runtime!: Runtime;
    // fetch and ws both honour it
    if (options.insecure) process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    await step(origins.length > 1 ? `reach the ${origins.length} servers` : "reach the server", async () => {
      configs = await Promise.all(origins.map((origin) => fetchConfig(origin, options.path, options.timeoutMs)));
    });
    await step("start WebRTC (@roamhq/wrtc)", async () => {
      runtime = await loadPeerJs().catch((error) => {
        throw new StepFailed(`cannot load WebRTC for Node: ${(error as Error).message}`);
      });
    });
    const bot = (name: string) => {
      // Bots take the servers in turn: with several, each pair spans two of them.
      const at = bots.length % origins.length;
      const [origin, config] = [origins[at], configs[at]];
      const b = new Bot(name, { runtime, origin, config, pool, camera: options.media, timeoutMs: options.timeoutMs });
      bots.push(b);
      return b;
    };

    const pairs: Array<[Bot, Bot]> = [];
    for (let i = 1; i <= options.pairs; i++) {
      const [a, b] = [bot(`bot ${2 * i - 1}`), bot(`bot ${2 * i}`)];
      pairs.push([a, b]);
      const p = `pair ${i}:`;
      // One pair at a time: the first bot waits alone in the pool when the second asks.
      await step(`${p} get an identity`, async () => {
        a.start();
        b.start();
        await Promise.all([a, b].map((x) => x.until(() => x.id.value !== "", "no identity issued")));
      });
      await step(`${p} connect the signaling socket`, () =>
        Promise.all([a, b].map((x) => x.until(() => x.chat.serverState.value === "connected", "signaling socket did not open")))
          .catch((error) => {
            const why = socketError();
            throw why ? new StepFailed(`${(error as Error).message} (${why})`) : error;
          }));
      await step(`${p} get matched with each other`, () =>
        Promise.all([
          a.until(() => a.partner.value === b.id.value, "timed out waiting for a match"),
          b.until(() => b.partner.value === a.id.value, "timed out waiting for a match"),
        ]));
      await step(`${p} open the data channel`, () => both(a, b, "data channel never opened"));
      await step(`${p} send a message each way`, async () => {
        a.chat.send(`hello from ${a.name}`);
        b.chat.send(`hello from ${b.name}`);
        await Promise.all([b.heard(`hello from ${a.name}`), a.heard(`hello from ${b.name}`)]);
      });
      if (options.media) await step(`${p} receive video frames both ways`, () => Promise.all([a.seesVideo(), b.seesVideo()]));
      // A relay-only server promises that strangers never see each other's addresses: check the call kept it
      // (with several servers, when all are relay-only, as one cluster's processes are configured alike).
      if (options.media && configs.every((config) => config.relay === "forced")) {
        await step(`${p} media goes through the TURN relay`, () => Promise.all([a.relayed(), b.relayed()]));
      }
    }

    if (pairs.length >= 2) {
      const [[a1, b1], [a2, b2]] = pairs;
      await step("a stranger leaves: the partner is told and queues again", async () => {
        b2.leave();
        await a2.until(() => a2.chat.peerState.value === "waiting" && saidLeft(a2), "partner was not told the stranger left");
      });
      await step("press Next with a third bot waiting: matched again", async () => {
        a1.chat.next();
        await Promise.all([
          a1.until(() => a1.partner.value === a2.id.value && a1.chat.peerState.value === "connected", "Next did not re-pair"),
          a2.until(() => a2.partner.value === a1.id.value && a2.chat.peerState.value === "connected", "Next did not re-pair"),
          b1.until(() => saidLeft(b1), "the left partner was not told"),
        ]);
        a1.chat.send("after Next");
        await a2.heard("after Next");
      });
    }

    await step("leave cleanly: each partner is told", async () => {
      const paired = (x: Bot) => x.chat.peerState.value === "connected";
      const pairs = bots.filter(paired).map((x) => [x, bots.find((y) => y.id.value === x.partner.value)!] as const)
        .filter(([x, y]) => y && paired(y) && x.name < y.name);
      const inPairs = new Set(pairs.flat());
      for (const x of bots.filter((x) => !inPairs.has(x))) x.leave();
      // Pairs only now, so that a bot told of its partner leaving finds nobody waiting.
      for (const [x, y] of pairs) {
        x.leave();
        await y.until(() => saidLeft(y), `was not told that ${x.name} left`);
        y.leave();
      }
    });
  } catch (error) {
    if (error instanceof Unreachable) unreachable = true;
    else if (!(error instanceof StepFailed)) throw error;
  } finally {
    for (const b of bots) b.leave();
  }
  return {
    urls: options.urls,
    pool,
    pairs: options.pairs,
    ok: steps.every((s) => s.ok),
    unreachable,
    steps,
    totalMs: performance.now() - started,
  };
}

function both(a: Bot, b: Bot, what: string): Promise<unknown> {
  return Promise.all([a, b].map((x) => x.until(() => x.chat.peerState.value === "connected", what)));
}

function saidLeft(bot: Bot): boolean {
  return bot.chat.messages.value.some((m) => m.from === "system" && m.text === TEXT.left);
}

/** GET /api/config: tells where signaling lives, and whether we are let in at all. */
async function fetchConfig(origin: string, path: string | undefined, timeoutMs: number): Promise<ClientConfig> {
  let res: Response;
  try {
    res = await fetch(`${origin}/api/config`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(String(why)) ? " (self-signed? try --insecure)" : "";
    throw new Unreachable(`cannot reach ${origin}: ${why}${hint}`);
  }
  const body = await res.json().catch(() => null) as (ClientConfig & { error?: string; message?: string }) | null;
  if (res.status === 403 && body?.error === "country_blocked") throw new StepFailed(`refused by country: ${body.message}`);
  if (!res.ok || !body || typeof body.path !== "string") {
    throw new Unreachable(`${origin} is not a chatroulette server (GET /api/config: HTTP ${res.status})`);
  }
  return path === undefined ? body : { ...body, path: `${path.replace(/\/$/, "")}/` };
}
