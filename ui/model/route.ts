/**
 * How the call with the stranger is connected: `direct` (peer to peer) or
 * `relay` (through the operator's TURN server, so neither side sees the
 * other's address). Read from the call's WebRTC statistics: the candidate
 * pair its transport selected, and the types of the two candidates.
 */
import { effect, type ReadonlySignal, signal } from "@preact/signals";
import type { CallLink } from "../peer-client.ts";
import type { Timers } from "./timers.ts";

export type Route = "direct" | "relay";

/** How often the route is read while a call is up (it changes when ICE picks another pair). */
export const ROUTE_POLL_MS = 1000;

type Stats = { readonly id: string; readonly type: string; readonly [key: string]: unknown };

/**
 * The route of the selected candidate pair in a getStats() report; null
 * while none is selected yet.
 * @example
 * routeOf(await pc.getStats()); // "relay"
 */
export function routeOf(report: Pick<RTCStatsReport, "forEach">): Route | null {
  const byId = new Map<string, Stats>();
  report.forEach((stats: Stats) => byId.set(stats.id, stats));
  const all = [...byId.values()];
  // The standard way: the transport names its selected pair. Older
  // libwebrtc builds (as in @roamhq/wrtc) may only mark the pair itself.
  const selectedId = all.find((s) => s.type === "transport" && typeof s.selectedCandidatePairId === "string")
    ?.selectedCandidatePairId as string | undefined;
  const pair = (selectedId ? byId.get(selectedId) : undefined) ??
    all.find((s) => s.type === "candidate-pair" && (s.selected === true || (s.nominated === true && s.state === "succeeded")));
  if (!pair) return null;
  const local = byId.get(pair.localCandidateId as string);
  const remote = byId.get(pair.remoteCandidateId as string);
  if (!local || !remote) return null;
  return local.candidateType === "relay" || remote.candidateType === "relay" ? "relay" : "direct";
}

/**
 * @example
 * const { route } = createRouteModel({ call: stranger.call, timers });
 * route.value; // null until the call's pair is known, then "direct" or "relay"
 */
export function createRouteModel({ call, timers }: { call: ReadonlySignal<CallLink | null>; timers: Timers }): {
  readonly route: ReadonlySignal<Route | null>;
  dispose(): void;
} {
  const route = signal<Route | null>(null);
  const dispose = effect(() => {
    const link = call.value;
    route.value = null;
    if (!link) return;
    let timer: unknown;
    let live = true;
    const read = async () => {
      const report = await link.rtcStats().catch(() => null);
      if (!live) return;
      if (report) route.value = routeOf(report);
      timer = timers.set(() => void read(), ROUTE_POLL_MS);
    };
    void read();
    return () => {
      live = false;
      timers.clear(timer);
    };
  });
  return { route, dispose };
}
