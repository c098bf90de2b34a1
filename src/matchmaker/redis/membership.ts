/**
 * This process as a member of the cluster: its id, its channel, its beat.
 *
 * It subscribes to its own channel, then registers and beats every
 * `beatMs`; each beat also sweeps dead processes and brings back the cluster's
 * counts. Messages on the channel are numbered: a gap means some were lost
 * (the subscription dropped), and a beat that finds this process unregistered
 * means Redis forgot it (restarted, or swept it after a long stall). Either
 * way the sink is asked to resync, and in the second case the process joins
 * again under a new id, so nothing left of the old one can be mistaken for it.
 */
import { randomBytes } from "node:crypto";
import process from "node:process";
import type { Logger } from "../../log.ts";
import type { RedisLink } from "../../redis/connection.ts";
import type { MatchEvent } from "../core.ts";
import type { MatchSink } from "../store.ts";
import type { Scripts } from "./scripts.ts";
import type { Timing } from "./timing.ts";
import { decodeMessage } from "./wire.ts";

export interface Figures {
  readonly online: number;
  readonly waiting: number;
  readonly processes: number;
  /** This process's waiting visitors, and the online count it last reported. */
  readonly here: number;
  readonly reported: number;
}

export interface Membership {
  /** The id this process is registered under (it changes when it joins again). */
  proc(): string;
  ready(): boolean;
  /** Resolves true once ready, false after `ms` or when left. */
  whenReady(ms: number): Promise<boolean>;
  /** A command was refused because this process is not registered: join again (once, however many ask). */
  rejoin(): Promise<void>;
  /** The cluster's counts as of the last beat. */
  figures(): Figures;
  /** Counts now, from Redis. */
  count(): Promise<Figures>;
  start(): void;
  leave(): Promise<void>;
}

export function createMembership(
  { link, scripts, sink, prefix, log, timing, partners }: {
    link: RedisLink;
    scripts: Scripts;
    sink: MatchSink;
    prefix: string;
    log: Logger;
    timing: Timing;
    /** A visitor here was matched with `partner`, whose address key is `address`. */
    partners?: (partner: string, address: string) => void;
  },
): Membership {
  let proc = newId();
  let registered = false;
  // Redis answered a beat since the link last came up: after an outage, the
  // registration may be gone (Redis restarted), so readiness waits for one.
  let confirmed = false;
  let channel: string | null = null;
  let expected = 1;
  let figures: Figures = { online: 0, waiting: 0, processes: 0, here: 0, reported: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let left = false;
  let joining: Promise<void> | null = null;
  let resyncing = false;
  const waiters = new Set<(ready: boolean) => void>();

  const ready = () => !left && registered && confirmed && channel !== null && link.up();
  const notify = () => {
    if (!ready() && !left) return;
    for (const wake of waiters) wake(!left);
    waiters.clear();
  };
  link.onChange(() => {
    if (!link.up()) confirmed = false;
    notify();
  });

  function whenReady(ms: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (left) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timeout = Number.isFinite(ms) ? setTimeout(() => done(false), ms) : undefined;
      const done = (value: boolean) => {
        clearTimeout(timeout);
        waiters.delete(done);
        resolve(value);
      };
      waiters.add(done);
    });
  }

  /** Resync once the store can take the commands it needs; requests pile into one. */
  function resync() {
    if (resyncing) return;
    resyncing = true;
    void whenReady(Infinity).then((ok) => {
      resyncing = false;
      if (ok) sink.resync();
    });
  }

  function onMessage(text: string) {
    const message = decodeMessage(text);
    if (!message) return log.warn(`ignored a message on ${channel} that is not ours`);
    if (message.number !== expected) {
      log.warn(`missed ${message.number - expected} message(s) from Redis; resyncing this process's visitors`);
      resync();
    }
    expected = message.number + 1;
    let events: MatchEvent[] = [];
    for (const item of message.items) {
      if (item.kind === "event") {
        events.push(item.event);
        if (item.address !== undefined && item.event.type === "matched") partners?.(item.event.partner, item.address);
      }
      else if (item.kind !== "marker") {
        // In order: a frame after the MATCH that allows it, a move after the events before it.
        if (events.length > 0) sink.deliver(events), events = [];
        if (item.kind === "relay") sink.relayed(item.relay.from, item.relay.to, item.relay.type, item.relay.text);
        else if (item.kind === "moved") sink.moved?.(item.id);
        else {
          if (item.resumed.address !== undefined) partners?.(item.resumed.partner, item.resumed.address);
          sink.resumed?.(item.id, item.resumed);
        }
      }
    }
    if (events.length > 0) sink.deliver(events);
  }

  async function beat(mode: "register" | "beat" | "leave" | "stats"): Promise<{ status: string; more: boolean; figures: Figures }> {
    const online = sink.online();
    const reply = await scripts.run("beat", proc, [mode, String(online), String(timing.sweepBudget)]) as [string, ...number[]];
    const [status, total, waiting, processes, here, more] = reply;
    return { status, more: more === 1, figures: { online: total, waiting, processes, here, reported: online } };
  }

  /** Joins under a new id: subscribe first, so no message to it can be missed. */
  async function join() {
    registered = false;
    proc = newId();
    if (channel) await link.subscriber.unsubscribe(channel).catch(() => {});
    channel = null;
    expected = 1;
    const next = `${prefix}ch:${proc}`;
    await Promise.all([scripts.load(), link.subscriber.subscribe(next, onMessage)]);
    channel = next;
    const { figures: now } = await beat("register");
    figures = now;
    registered = confirmed = true;
    log.info(`joined the cluster in Redis at ${link.where} as ${proc}`);
    notify();
  }

  function rejoin(): Promise<void> {
    const first = !joining;
    joining ??= join().finally(() => joining = null);
    // Whatever this process held in Redis is gone or going: set it right.
    if (first && channel !== null) joining.then(resync, () => {});
    return joining;
  }

  async function tick() {
    if (left) return;
    try {
      if (!link.up()) return;
      if (!registered) return await rejoin();
      let result = await beat("beat");
      while (result.status === "ok" && result.more && !left) result = await beat("beat");
      if (result.status === "lost") {
        log.warn(`Redis no longer knows this process (${proc}): joining again`);
        registered = false;
        return await rejoin();
      }
      figures = result.figures;
      if (!confirmed && link.up()) {
        confirmed = true;
        notify();
      }
    } catch (error) {
      log.debug(`beat failed: ${(error as Error).message}`);
    } finally {
      if (!left) {
        timer = setTimeout(tick, timing.beatMs);
        timer.unref?.();
      }
    }
  }

  return {
    proc: () => proc,
    ready,
    whenReady,
    rejoin,
    figures: () => figures,
    count: async () => (await beat("stats")).figures,
    start: () => void tick(),
    async leave() {
      left = true;
      clearTimeout(timer);
      notify();
      if (registered && link.up()) await beat("leave").catch(() => {});
      registered = false;
    },
  };
}

/** A new process id: random, so ids never repeat across restarts. */
function newId(): string {
  return `${process.pid.toString(36)}-${randomBytes(6).toString("hex")}`;
}
