/**
 * The visitor gauges: who is online and who is waiting, on this process and
 * in the whole cluster (every process sharing the pool through Redis; without
 * --redis, this process alone), read from the match store's stats() when
 * Prometheus scrapes: one call per scrape, whatever the number of gauges.
 *
 * Why these names: Prometheus adds and averages a metric across targets, so
 * a per-target metric must make sense summed. `chatroulette_visitors_*` stay
 * this process's own: `sum(chatroulette_visitors_online)` over the job is
 * the cluster, and per-instance alerts stay true. The figures every process
 * reports alike (/api/stats's `online`, `waiting`, `processes`) carry
 * `cluster` in their names, as elasticsearch_exporter's
 * `elasticsearch_cluster_health_*` do, so that nobody sums them by mistake.
 * A label (`scope="cluster"|"process"`) would have made the plain
 * `sum(chatroulette_visitors_online)` count everyone twice.
 *
 * A scrape never fails or waits on the store: if stats() rejects or takes
 * longer than `timeoutMs`, the gauges say what this process knows (its own
 * sockets, its waiting visitors as last read, and itself as the cluster),
 * and the log says so once, not at every scrape. Both stores answer from
 * memory today, so with Redis away the cluster figures are the last heard:
 * `chatroulette_ready` (0 whenever /readyz says 503) is what says Redis is away.
 */
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../log.ts";
import type { MatchStats } from "../matchmaker/store.ts";

export interface VisitorSource {
  /** The store's figures: the cluster's, and this process's share (MatchStore.stats). */
  readonly stats: () => Promise<MatchStats>;
  /** Signaling sockets open on this process, known without the store. */
  readonly online: () => number;
  readonly log?: Logger;
  /** How long a scrape waits for stats(); Prometheus's own scrape timeout is 10 s by default. */
  readonly timeoutMs?: number;
  /** Whether the server admits visitors now, as /readyz says. */
  readonly ready?: () => boolean;
}

/** Long enough for a store that answers from memory (both do), well inside a scrape timeout. */
export const STATS_TIMEOUT_MS = 1000;

/**
 * @example
 * addVisitorGauges(registry, { stats: () => store.stats(), online: () => sessions.size, log });
 * await registry.metrics(); // chatroulette_visitors_online 3 … chatroulette_cluster_visitors_online 7 …
 */
export function addVisitorGauges(registry: Registry, { stats, online, log, timeoutMs = STATS_TIMEOUT_MS, ready }: VisitorSource): void {
  let lastWaiting = 0;
  let failing = false;
  const read = async (): Promise<MatchStats> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref?.();
    });
    try {
      const figures = await Promise.race([Promise.resolve().then(stats), late]);
      lastWaiting = figures.process.waiting;
      if (failing) log?.info("metrics: the match store's figures are back");
      failing = false;
      return figures;
    } catch (error) {
      if (!failing) log?.warn(`metrics: cannot read the match store's figures (${(error as Error).message}): reporting this process's own`);
      failing = true;
      const own = { online: online(), waiting: lastWaiting };
      return { ...own, processes: 1, process: own };
    } finally {
      clearTimeout(timer);
    }
  };
  // prom-client collects every gauge of a scrape at once: the first starts the read, the others share it.
  let current: Promise<MatchStats> | null = null;
  const figures = () => current ??= read().finally(() => current = null);

  const registers = [registry];
  const gauge = (name: string, help: string, pick: (stats: MatchStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.set(pick(await figures()));
      },
    });
  gauge("chatroulette_visitors_online", "Visitors with an open signaling socket on this process.", (s) => s.process.online);
  gauge("chatroulette_visitors_waiting", "Visitors on this process waiting for a partner, in every pool.", (s) => s.process.waiting);
  gauge(
    "chatroulette_cluster_visitors_online",
    "Visitors with an open signaling socket on any process of the cluster (every process reports the same; without --redis, this process).",
    (s) => s.online,
  );
  gauge(
    "chatroulette_cluster_visitors_waiting",
    "Visitors waiting for a partner in every pool, on any process of the cluster (every process reports the same).",
    (s) => s.waiting,
  );
  gauge("chatroulette_cluster_processes", "Live processes sharing the matchmaking pool (1 without --redis).", (s) => s.processes);
  if (ready) {
    new Gauge({
      name: "chatroulette_ready",
      help: "1 while this process admits visitors (/readyz 200); 0 while it starts, is full, shuts down or cannot reach its Redis.",
      registers,
      collect() {
        this.set(ready() ? 1 : 0);
      },
    });
  }
}
