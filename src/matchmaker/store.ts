/**
 * Where matchmaking state lives. Callers only see this async interface, so a
 * shared store (Redis, applying the same rules atomically in a script; see
 * redis/store.ts) can replace the in-memory one without touching them.
 *
 * A store delivers each event to the process whose visitor it is for, through
 * that process's sink: the in-memory store at once, the Redis store over its
 * subscription, so each process hears its events in the order they happened.
 */
import * as core from "./core.ts";
import type { MatchEvent, MatchOptions } from "./core.ts";
import type { RelayType, Wish } from "../protocol/index.ts";

/** What a claim found: the visitor's partner, who left it while it was away, and what it last asked for. */
export interface Resumed {
  /** "" for none. */
  readonly partner: string;
  /** The partner's address key, when known (for a report of it). */
  readonly address?: string;
  /** "" for none. */
  readonly left: string;
  /** null when it is idle. */
  readonly wish: Wish | null;
}

/** What a process gives its store: where its visitors' events go. */
export interface MatchSink {
  /** Match events for visitors whose sockets this process holds. */
  deliver(events: readonly MatchEvent[]): void;
  /** A signaling frame from a partner on another process. */
  relayed(from: string, to: string, type: RelayType, text: string): void;
  /**
   * The store may have lost this process's visitors or missed events for
   * them (Redis restarted, a subscription dropped): make every visitor's
   * state true again (partners told, waiting visitors queued again).
   */
  resync(): void;
  /** Signaling sockets open on this process. */
  online(): number;
  /** Shared stores: the visitor's socket opened on another process (claim()), so its socket here is stale. */
  moved?(id: string): void;
  /** Shared stores: this process's claim of the visitor is done (every moved() before it is older than the claim). */
  resumed?(id: string, found: Resumed): void;
}

/** /api/stats: the whole cluster, and this process's share. */
export interface MatchStats {
  readonly online: number;
  readonly waiting: number;
  /** Live processes sharing the pool. */
  readonly processes: number;
  readonly process: { readonly online: number; readonly waiting: number };
}

export interface MatchStore {
  /** Where this process's events go; called once, before open(). */
  attach(sink: MatchSink): void;
  /** Connects, if the store has anything to connect to. */
  open(): Promise<void>;
  /** Can take commands now: new visitors are refused while it cannot. */
  ready(): boolean;
  /**
   * Pair `id` (at address key `address`) with someone suitable waiting for the
   * same pool, or queue it; dissolves a current pair first. Resolves with every event the command caused (for any process),
   * already on its way to the sinks (the Redis store only when asked to report
   * them). Rejects with StoreUnavailable when the store cannot be reached.
   */
  find(id: string, wish: Wish, now: number, address?: string): Promise<MatchEvent[]>;
  /** Visitors at addresses `a` and `b` (or, behind one address, with ids `a` and `b`) are not paired until `until` (a report). */
  block(a: string, b: string, until: number, now: number): Promise<void>;
  /** Leave the current partner or queue without looking for another. */
  stop(id: string, now: number): Promise<MatchEvent[]>;
  /** The visitor's connection is gone. Never gives up while the store is away: it runs once it is back. */
  disconnect(id: string, now: number): Promise<MatchEvent[]>;
  /** Time has passed (about once a second): pairs visitors whose wait for a shared interest is over. */
  tick(now: number): Promise<MatchEvent[]>;
  /**
   * Shared stores: a socket of visitor `id` opened on this process, which
   * may be held by another (a page back from a network change, behind a load
   * balancer). It moves here with its place or partner, the other process is
   * told (sink.moved), and this one hears sink.resumed. One process needs
   * none of this: its sessions take over from each other.
   */
  claim?(id: string, now: number): Promise<void>;
  /** Sends a frame to `to`, held by another process, if `to` is `from`'s partner (or, for LEAVE, was). */
  relay(from: string, to: string, type: RelayType, text: string): void;
  /** Visitors waiting in every pool, on every process. */
  waiting(): Promise<number>;
  stats(): Promise<MatchStats>;
  /** The address key of a visitor on another process, as its last match told (for reports); undefined if unknown. */
  addressOf?(id: string): string | undefined;
  close(): Promise<void>;
}

/** The shared store cannot be reached: the command did not run, or its outcome is unknown. */
export class StoreUnavailable extends Error {
  override name = "StoreUnavailable";
}

/**
 * One process's store: the pure core over a Map, each command atomic by construction.
 * @example
 * const store = createMemoryStore({ ...DEFAULT_MATCH_OPTIONS, interestWaitMs: 5000 });
 * store.attach({ deliver, relayed, resync, online });
 * await store.find("a83e", defaultWish(), Date.now()); // [{ type: "waiting", to: "a83e", pool: "public" }]
 */
export function createMemoryStore(options?: MatchOptions): MatchStore {
  const state = core.createMatchState(options);
  let sink: MatchSink | undefined;
  const run = (events: MatchEvent[]) => {
    sink?.deliver(events);
    return events;
  };
  return {
    attach: (given) => void (sink = given),
    open: async () => {},
    ready: () => true,
    find: async (id, wish, now, address) => run(core.find(state, id, wish, now, address)),
    block: async (a, b, until, now) => void core.block(state, a, b, until, now),
    stop: async (id) => run(core.stop(state, id)),
    disconnect: async (id) => run(core.disconnect(state, id)),
    tick: async (now) => run(core.tick(state, now)),
    // Every socket is in this process: signaling relays to them itself.
    relay: () => {},
    waiting: async () => core.waitingCount(state),
    async stats() {
      const online = sink?.online() ?? 0;
      const waiting = core.waitingCount(state);
      return { online, waiting, processes: 1, process: { online, waiting } };
    },
    close: async () => {},
  };
}
