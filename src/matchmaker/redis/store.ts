/**
 * The Redis store: any number of processes share one pool. The rules are
 * core.ts's, written again in Lua (common.lua) and run as scripts, so each
 * command is atomic whatever the other processes do; the conformance suite
 * (test/match-store.test.ts) holds both stores to the same behaviour.
 *
 * Commands issued in the same turn of the event loop go to Redis in one
 * script call (up to `maxBatch`), which is what lets one process keep up with
 * a burst (BENCHMARKS.md). Events travel to each process over its channel
 * (membership.ts), in the order the scripts ran.
 */
import { setImmediate } from "node:timers";
import { ErrorReply } from "@redis/client";
import type { Logger } from "../../log.ts";
import { createRedisLink, type RedisLink } from "../../redis/connection.ts";
import { DEFAULT_MATCH_OPTIONS, type MatchEvent, type MatchOptions } from "../core.ts";
import type { Wish } from "../../protocol/index.ts";
import { type MatchSink, type MatchStore, StoreUnavailable } from "../store.ts";
import { createMembership, type Membership } from "./membership.ts";
import { createScripts, type Scripts } from "./scripts.ts";
import { type Timing, TIMING } from "./timing.ts";
import { decodeEvents, encodeWish } from "./wire.ts";

export { encodeWish };

export const DEFAULT_PREFIX = "chatroulette:";

/** Partners' address keys remembered (~150 bytes each): a partner is reportable for a minute after the pair ends. */
const MAX_ADDRESSES = 100_000;

type Op = "find" | "stop" | "disconnect" | "tick" | "block" | "claim";

interface Pending {
  readonly args: readonly string[];
  resolve(events: MatchEvent[]): void;
  reject(error: unknown): void;
}

export interface RedisStoreOptions {
  readonly url: string;
  readonly log: Logger;
  /** Keys and channels start with this; tests give each store family its own. */
  readonly prefix?: string;
  readonly timing?: Partial<Timing>;
  /**
   * Resolve commands with the events they caused, as the conformance suite
   * compares them with the model. Off, commands resolve with [] and Redis
   * and this process are spared encoding every event twice: the events still
   * reach every process through its channel, which is all serving needs.
   */
  readonly report?: boolean;
  /** The rules' figures, as for the memory store. */
  readonly options?: MatchOptions;
}

/**
 * Connects on open(), never before.
 * @example
 * const store = createRedisStore({ url: "redis://127.0.0.1:6379", log });
 * store.attach(sink);
 * await store.open();
 * await store.find("a83e", defaultWish(), Date.now());
 */
export function createRedisStore(
  { url, log, prefix = DEFAULT_PREFIX, timing: given = {}, report = false, options = DEFAULT_MATCH_OPTIONS }: RedisStoreOptions,
): MatchStore {
  const timing: Timing = { ...TIMING, ...given };
  const head = [report ? "1" : "0", String(options.interestWaitMs), String(options.recentCount), String(options.recentMs)];
  let sink: MatchSink | undefined;
  let link: RedisLink | undefined;
  let scripts: Scripts | undefined;
  let membership: Membership | undefined;
  let pending: Pending[] = [];
  let scheduled = false;
  let inflight = 0;
  let closed = false;
  let drained: (() => void) | null = null;
  // Partners' address keys, from their matches, for reports (Map order: the oldest first out).
  const addresses = new Map<string, string>();
  const partners = (partner: string, address: string) => {
    addresses.delete(partner);
    addresses.set(partner, address);
    if (addresses.size > MAX_ADDRESSES) addresses.delete(addresses.keys().next().value!);
  };

  function parts() {
    if (!link || !scripts || !membership) throw new StoreUnavailable("the Redis store is not open");
    return { link, scripts, membership };
  }

  /** Sends every command queued in this turn, `maxBatch` to a script call. */
  function flush() {
    scheduled = false;
    const { scripts, membership } = parts();
    const queued = pending;
    pending = [];
    for (let i = 0; i < queued.length; i += timing.maxBatch) {
      const batch = queued.slice(i, i + timing.maxBatch);
      scripts.run("commands", membership.proc(), [...head, ...batch.flatMap((c) => c.args)]).then(
        (reply) => batch.forEach((c, j) => c.resolve(decodeEvents((reply as unknown[])[j]))),
        (error) => batch.forEach((c) => c.reject(error)),
      );
    }
  }

  function submit(args: readonly string[]): Promise<MatchEvent[]> {
    return new Promise((resolve, reject) => {
      pending.push({ args, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }

  /**
   * Runs one command. FIND and STOP wait `commandWaitMs` for an unreachable
   * Redis, then fail: the visitor is told and reconnects. A disconnect waits
   * as long as it takes (until close), so nobody stays queued for a socket
   * that is gone. A NOPROC refusal changed nothing: join again and retry.
   */
  async function command(op: Op, id: string, now: number, rest: readonly [string, string, string] = ["", "", ""]): Promise<MatchEvent[]> {
    const patient = op === "disconnect";
    inflight++;
    try {
      for (;;) {
        const { link, membership } = parts();
        if (closed && !patient) throw new StoreUnavailable("the Redis store is closed");
        if (!(await membership.whenReady(patient ? Infinity : timing.commandWaitMs))) {
          throw new StoreUnavailable(`Redis at ${link.where} cannot be reached`);
        }
        try {
          return await submit([op, id, rest[0], String(now), rest[1], rest[2]]);
        } catch (error) {
          if (error instanceof ErrorReply) {
            if (!error.message.startsWith("NOPROC")) throw error;
            await membership.rejoin().catch(() => {});
          } else if (!patient) {
            throw new StoreUnavailable(`Redis at ${link.where} failed: ${(error as Error).message}`);
          } else await new Promise((resolve) => setTimeout(resolve, timing.beatMs));
        }
      }
    } finally {
      if (--inflight === 0) drained?.();
    }
  }

  return {
    attach: (given) => void (sink = given),
    async open() {
      if (!sink) throw new Error("attach a sink before open()");
      link = createRedisLink({ url, log });
      scripts = createScripts(link.client, { prefix, visitorTtlMs: timing.visitorTtlMs, presenceTtlMs: timing.presenceTtlMs });
      membership = createMembership({ link, scripts, sink, prefix, log, timing, partners });
      membership.start();
      if (!await membership.whenReady(timing.openWaitMs)) {
        log.warn(`starting without Redis at ${link.where}: visitors are refused until it can be reached`);
      }
    },
    ready: () => membership?.ready() ?? false,
    find: (id, wish, now, address = "") => command("find", id, now, [wish.pool, encodeWish(wish), address]),
    block: async (a, b, until, now) => void await command("block", a, now, [b, String(until), ""]),
    stop: (id, now) => command("stop", id, now),
    disconnect: (id, now) => command("disconnect", id, now),
    tick: (now) => command("tick", "", now),
    claim: async (id, now) => void await command("claim", id, now),
    relay(from, to, type, text) {
      if (!membership?.ready()) return log.debug(`dropped ${type} to ${to}: Redis cannot be reached`);
      scripts!.run("relay", membership.proc(), [from, to, type, text]).catch((error) =>
        log.debug(`dropped ${type} to ${to}: ${(error as Error).message}`)
      );
    },
    addressOf: (id) => addresses.get(id),
    waiting: async () => (await parts().membership.count()).waiting,
    async stats() {
      const online = sink?.online() ?? 0;
      const figures = membership?.figures() ?? { online: 0, waiting: 0, processes: 0, here: 0, reported: 0 };
      return {
        // Other processes' sockets as of the last beat, ours as of now.
        online: figures.online - figures.reported + online,
        waiting: figures.waiting,
        processes: Math.max(1, figures.processes),
        process: { online, waiting: figures.here },
      };
    },
    async close() {
      // Disconnects of the sockets just closed go first (bounded: Redis may be away).
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, 2000).unref?.();
        });
      }
      closed = true;
      await membership?.leave();
      await link?.close();
    },
  };
}
