/**
 * What the server counts for Prometheus (prom-client), recorded where the
 * events happen: pairs, Next, partners leaving, time from FIND to MATCH,
 * refusals, rejected frames, identities and TURN credentials; plus visitors
 * online and waiting, on this process and in the cluster, read when scraped
 * (visitors.ts).
 *
 * Every label has a small, fixed set of values, known in advance: codes
 * from the protocol's catalogues, leave reasons, and pools as "public" or
 * "private" (never a pool's name, which visitors choose; never an id or an
 * address). All series start at 0, so rates and alerts work from the first
 * scrape. Each server has its own registry: two servers in one process
 * (tests) never share a count.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { DEFAULT_POOL, FRAME_ERRORS, type FrameErrorCode, type LeftReason, REFUSALS, type RefusalCode } from "../protocol/index.ts";
import { addVisitorGauges, type VisitorSource } from "./visitors.ts";

export type PoolKind = "public" | "private";

export interface Metrics {
  readonly registry: Registry;
  /** Two visitors were paired (once per pair). */
  matched(pool: string): void;
  partnerLeft(reason: LeftReason): void;
  /** A visitor waited `ms` from its FIND to its MATCH. */
  waited(pool: string, ms: number): void;
  refused(code: RefusalCode): void;
  rejectedFrame(code: FrameErrorCode): void;
  identityIssued(): void;
  turnCredentialsIssued(): void;
  /** Adds the process metrics (CPU, memory, event-loop lag); these sample continuously, so only for a served /metrics. */
  collectProcessMetrics(): void;
}

const LEFT_REASONS: readonly LeftReason[] = ["next", "stop", "disconnect"];
const POOL_KINDS: readonly PoolKind[] = ["public", "private"];

export function poolKind(pool: string): PoolKind {
  return pool === DEFAULT_POOL ? "public" : "private";
}

/**
 * @example
 * const metrics = createMetrics({ stats: () => store.stats(), online: () => sessions.size, log });
 * metrics.matched("public");
 * await metrics.registry.metrics(); // Prometheus text
 */
export function createMetrics(visitors: VisitorSource): Metrics {
  const registry = new Registry();
  const registers = [registry];
  addVisitorGauges(registry, visitors);
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: `chatroulette_${name}_total`, help, labelNames, registers });
  const pairs = counter("pairs", "Pairs made.", ["pool"]);
  const nexts = counter("next", "Next presses that left a partner.");
  const left = counter("partner_left", "Partners who left a pair, by reason: next, stop or disconnect.", ["reason"]);
  const wait = new Histogram({
    name: "chatroulette_match_wait_seconds",
    help: "Time from a visitor's FIND to its MATCH.",
    labelNames: ["pool"] as const,
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers,
  });
  const refusals = counter("refusals", "HTTP requests and WebSocket upgrades refused, by code (docs/PROTOCOL.md §1).", ["code"]);
  const rejected = counter("frames_rejected", "Signaling frames rejected, by code (docs/PROTOCOL.md §6).", ["code"]);
  const identities = counter("identities_issued", "Identities issued.");
  const turn = counter("turn_credentials_issued", "Sets of short-lived TURN credentials issued.");
  for (const pool of POOL_KINDS) {
    pairs.labels(pool).inc(0);
    wait.zero({ pool });
  }
  for (const reason of LEFT_REASONS) left.labels(reason).inc(0);
  for (const code of Object.keys(REFUSALS) as RefusalCode[]) refusals.labels(code).inc(0);
  for (const code of Object.keys(FRAME_ERRORS) as FrameErrorCode[]) rejected.labels(code).inc(0);
  let processMetrics = false;

  return {
    registry,
    matched: (pool) => pairs.labels(poolKind(pool)).inc(),
    partnerLeft(reason) {
      left.labels(reason).inc();
      if (reason === "next") nexts.inc();
    },
    waited: (pool, ms) => wait.labels(poolKind(pool)).observe(ms / 1000),
    refused: (code) => refusals.labels(code).inc(),
    rejectedFrame: (code) => rejected.labels(code).inc(),
    identityIssued: () => identities.inc(),
    turnCredentialsIssued: () => turn.inc(),
    collectProcessMetrics() {
      if (processMetrics) return;
      processMetrics = true;
      collectDefaultMetrics({ register: registry });
    },
  };
}
