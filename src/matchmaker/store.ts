/**
 * Where matchmaking state lives. Callers only see this async interface, so a
 * shared store (Redis, applying the same rules atomically in a script) can
 * replace the in-memory one without touching them.
 */
import type { Wish } from "../protocol/index.ts";
import * as core from "./core.ts";
import type { MatchEvent, MatchOptions } from "./core.ts";

export interface MatchStore {
  /** Pair `id` (at address key `address`) with someone suitable waiting for the same pool, or queue it; dissolves a current pair first. */
  find(id: string, wish: Wish, now: number, address?: string): Promise<MatchEvent[]>;
  /** Visitors at addresses `a` and `b` (or, behind one address, with ids `a` and `b`) are not paired until `until` (a report). */
  block(a: string, b: string, until: number, now: number): Promise<void>;
  /** Leave the current partner or queue without looking for another. */
  stop(id: string, now: number): Promise<MatchEvent[]>;
  /** The visitor's connection is gone. */
  disconnect(id: string, now: number): Promise<MatchEvent[]>;
  /** Time has passed (about once a second): pairs visitors whose wait for a shared interest is over. */
  tick(now: number): Promise<MatchEvent[]>;
  /** Visitors waiting in every pool. */
  waiting(): Promise<number>;
}

/**
 * One process's store: the pure core over a Map, each command atomic by construction.
 * @example
 * const store = createMemoryStore({ ...DEFAULT_MATCH_OPTIONS, interestWaitMs: 5000 });
 * await store.find("a", defaultWish(), Date.now());
 */
export function createMemoryStore(options?: MatchOptions): MatchStore {
  const state = core.createMatchState(options);
  return {
    find: async (id, wish, now, address) => core.find(state, id, wish, now, address),
    block: async (a, b, until, now) => void core.block(state, a, b, until, now),
    stop: async (id) => core.stop(state, id),
    disconnect: async (id) => core.disconnect(state, id),
    tick: async (now) => core.tick(state, now),
    waiting: async () => core.waitingCount(state),
  };
}
