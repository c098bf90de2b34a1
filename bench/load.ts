/**
 * A load generator, run as its own process (forked by the harness) so that
 * the server under test has its CPU to itself. It holds signaling sockets the
 * way peerjs does (HEARTBEAT every 5 s) and drives matchmaking, answering one
 * IPC command at a time. Everything is bounded: counts come from the harness
 * and the process exits when the harness goes away.
 */
import { Agent, request } from "node:http";
import process from "node:process";
import { WebSocket } from "ws";
import { decodeServerFrame, encodeFrame, type ServerFrame, socketUrl } from "../src/protocol/index.ts";

/** ours: identity + FIND/MATCH; peer: bare PeerServer; book: PeerServer + GET /find polling. */
export type TargetKind = "ours" | "peer" | "book";

export type Command =
  | { cmd: "identities"; origin: string; count: number }
  | { cmd: "connect"; kind: TargetKind; origin: string; mount: string; count: number; localAddress?: string }
  | { cmd: "burst" }
  | { cmd: "paced"; perSecond: number; seconds: number }
  | { cmd: "close" };

export interface ConnectResult {
  opened: number;
  refused: number;
  /** Why the first refused client was refused. */
  firstRefusal: string | null;
  ms: number;
}

export interface MatchResult {
  pairs: number;
  /** Epoch ms of the first request and of the last pair seen, for cross-process totals. */
  firstAt: number;
  lastAt: number;
  /** FIND (or /find) to MATCH for the visitor whose request made the pair, ms. */
  latencies: number[];
  /** The same, for pairs whose partner is held by another generator (with one server each: another process). */
  crossLatencies: number[];
}

interface Bot {
  id: string;
  ws: WebSocket;
  sentAt: number;
  busy: boolean;
}

const HEARTBEAT_MS = 5000;
const HEARTBEAT = encodeFrame({ type: "HEARTBEAT" });
const FIND = encodeFrame({ type: "FIND" });
const CONCURRENCY = 200;
const now = () => performance.timeOrigin + performance.now();

let kind: TargetKind = "ours";
let origin = "";
const bots: Bot[] = [];
/** Our bots' ids: a partner not among them is another generator's. */
const ours = new Set<string>();
/** Identities fetched ahead of connecting, so their HTTP cost is not counted with the sockets'. */
const identities: Array<{ id: string; token: string }> = [];
let onMatch: ((bot: Bot, frame: ServerFrame) => void) | null = null;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
/** Heartbeats spread over the period, as independent browsers would send them. */
const SLICES = 100;
let slice = 0;
const heartbeat = setInterval(() => {
  for (let i = slice; i < bots.length; i += SLICES) {
    if (bots[i].ws.readyState === WebSocket.OPEN) bots[i].ws.send(HEARTBEAT);
  }
  slice = (slice + 1) % SLICES;
}, HEARTBEAT_MS / SLICES);

function http(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, agent }, (res) => {
      let body = "";
      res.on("data", (chunk) => body += chunk);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function fetchIdentity(): Promise<{ id: string; token: string } | string> {
  const res = await http("POST", "/api/identity").catch((e: Error) => ({ status: 0, body: e.message }));
  return res.status === 201 ? JSON.parse(res.body) : `identity: HTTP ${res.status} ${res.body.slice(0, 80)}`;
}

/** Fetches `count` identities with a few requests in flight. */
async function prefetch(count: number): Promise<{ fetched: number }> {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const identity = await fetchIdentity();
      if (typeof identity === "string") throw new Error(identity);
      identities.push(identity);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return { fetched: identities.length };
}

const OPEN_TIMEOUT_MS = 10_000;

/** Opens one socket; resolves with the bot, or with the reason it was refused (or never opened). */
async function open(mount: string, localAddress?: string): Promise<Bot | string> {
  let id: string = crypto.randomUUID();
  let token = "t";
  if (kind === "ours") {
    const identity = identities.pop() ?? await fetchIdentity();
    if (typeof identity === "string") return identity;
    ({ id, token } = identity);
  }
  const url = socketUrl(origin, mount, { id, token });
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
    const bot: Bot = { id, ws, sentAt: 0, busy: false };
    const refuse = (why: string) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(why);
    };
    const timer = setTimeout(() => refuse(`no OPEN within ${OPEN_TIMEOUT_MS / 1000} s`), OPEN_TIMEOUT_MS);
    ws.once("unexpected-response", (_req, res) => refuse(`HTTP ${res.statusCode}`));
    ws.once("error", (e) => refuse(e.message));
    ws.on("message", (data) => {
      const frame = decodeServerFrame(JSON.parse(data.toString()));
      if (frame === null) return;
      if (frame.type === "OPEN") {
        clearTimeout(timer);
        return resolve(bot);
      }
      if (frame.type === "ERROR") return refuse(`ERROR ${frame.payload.msg}`);
      onMatch?.(bot, frame);
    });
  });
}

async function connect(c: Extract<Command, { cmd: "connect" }>): Promise<ConnectResult> {
  kind = c.kind;
  origin = c.origin;
  const started = now();
  const before = bots.length;
  let next = 0;
  let refused = 0;
  let firstRefusal: string | null = null;
  // A refusal ends the ramp: we measure how many are held before the first one.
  const worker = async () => {
    while (next < c.count && firstRefusal === null) {
      next++;
      const result = await open(c.mount, c.localAddress);
      if (typeof result === "string") {
        refused++;
        firstRefusal ??= result;
      } else {
        bots.push(result);
        ours.add(result.id);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { opened: bots.length - before, refused, firstRefusal, ms: now() - started };
}

/** Ours: FIND on the socket. Book: GET /find, which pairs on the second caller. */
function ask(bot: Bot, record: (latency: number, partner?: string) => void): void {
  bot.busy = true;
  bot.sentAt = now();
  if (kind === "ours") {
    bot.ws.send(FIND);
    return;
  }
  void http("GET", `/find?id=${bot.id}`).then(({ status }) => {
    bot.busy = false;
    lastAnswer = now();
    if (status === 200) record(now() - bot.sentAt);
  });
}

/**
 * Records each pair. A bot is answered by its MATCH; with `leftFrees`, also by
 * PARTNER-LEFT (paced: an idle bot whose partner asked again is free to ask).
 * In a burst every bot has asked, so its old partner leaving answers nothing.
 */
function matching(record: (latency: number, partner?: string) => void, leftFrees: boolean): void {
  onMatch = (bot, frame) => {
    if (frame.type === "MATCH") {
      bot.busy = false;
      lastAnswer = now();
      if (frame.payload.role === "caller") record(now() - bot.sentAt, frame.payload.peer);
    } else if (frame.type === "PARTNER-LEFT" && leftFrees) bot.busy = false;
  };
}

/** When the last answer (MATCH, or the book's /find response) arrived; 0 before the first of a burst. */
let lastAnswer = 0;

/** A result and the function that records one pair into it. */
function tally(): [MatchResult, (latency: number, partner?: string) => void] {
  const result: MatchResult = { pairs: 0, firstAt: now(), lastAt: 0, latencies: [], crossLatencies: [] };
  return [result, (latency, partner) => {
    result.pairs++;
    result.lastAt = now();
    result.latencies.push(latency);
    if (partner !== undefined && !ours.has(partner)) result.crossLatencies.push(latency);
  }];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every bot asks at once; resolves when every request is answered, or when
 * answers have come and then none for 2 s (a lone bot: with several
 * generators the total may be odd), or after 30 s.
 */
async function burst(): Promise<MatchResult> {
  const [result, record] = tally();
  matching(record, false);
  lastAnswer = 0;
  for (const bot of bots) ask(bot, record);
  const deadline = now() + 30_000;
  const quiet = () => lastAnswer > 0 && now() - lastAnswer >= 2000;
  while (bots.some((b) => b.busy) && now() < deadline && !quiet()) await sleep(5);
  return result;
}

/** Asks at a steady rate from idle bots and records each pair's latency. */
async function paced(perSecond: number, seconds: number): Promise<MatchResult> {
  const [result, record] = tally();
  matching(record, true);
  for (const bot of bots) bot.busy = false;
  const end = now() + seconds * 1000;
  let sent = 0;
  let cursor = 0;
  while (now() < end) {
    const due = Math.floor(((now() - result.firstAt) / 1000) * perSecond);
    for (; sent < due; sent++) {
      // Round-robin over bots that are not already waiting for an answer.
      for (let tries = 0; tries < bots.length; tries++) {
        const bot = bots[cursor++ % bots.length];
        if (!bot.busy) {
          ask(bot, record);
          break;
        }
      }
    }
    await sleep(1);
  }
  await sleep(200); // let answers in flight land
  return result;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "identities":
      origin = command.origin;
      return prefetch(command.count);
    case "connect":
      return connect(command);
    case "burst":
      return burst();
    case "paced":
      return paced(command.perSecond, command.seconds);
    case "close":
      clearInterval(heartbeat);
      for (const bot of bots) bot.ws.terminate();
      bots.length = 0;
      ours.clear();
      return {};
  }
}

process.on("message", (command: Command) => {
  handle(command).then(
    (result) => process.send!({ ok: true, result }),
    (error: Error) => process.send!({ ok: false, error: error.stack ?? String(error) }),
  );
});
// Bounded: never outlive the harness.
process.on("disconnect", () => process.exit(0));
