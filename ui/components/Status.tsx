/** The two status lines: words for people, data-state for scripts. */
import type { ReadonlySignal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import type { Catalog } from "../i18n/index.ts";
import type { ServerState } from "../model/connection.ts";
import type { Route } from "../model/route.ts";
import type { PeerState } from "../model/stranger.ts";

const SERVER_TEXT = {
  connecting: "serverConnecting",
  connected: "serverConnected",
  disconnected: "serverDisconnected",
  blocked: "serverBlocked",
  banned: "serverBanned",
} as const satisfies Record<ServerState, keyof Catalog>;

const PEER_TEXT = {
  idle: "peerIdle",
  waiting: "peerWaiting",
  connecting: "peerConnecting",
  connected: "peerConnected",
} as const satisfies Record<PeerState, keyof Catalog>;

export function Status({ t, server, peer, reconnectAt, route }: {
  t: Catalog;
  server: ReadonlySignal<ServerState>;
  peer: ReadonlySignal<PeerState>;
  reconnectAt: ReadonlySignal<number | null>;
  route: ReadonlySignal<Route | null>;
}) {
  const serverState = server.value;
  const peerState = peer.value;
  const via = peerState === "connected" ? route.value ?? undefined : undefined;
  const retryIn = useCountdown(reconnectAt.value);
  return (
    <div class="status" role="status" aria-live="polite">
      <span id="peerServerStatus" data-state={serverState} class={`pill ${serverState}`}>
        {t[SERVER_TEXT[serverState]]}
        {/* Seen, not announced: a live region would repeat the whole line every second. */}
        {serverState === "disconnected" && retryIn !== null && <span aria-hidden="true">{t.retryingIn(String(retryIn))}</span>}
      </span>
      <span id="peerStatus" data-state={peerState} data-route={via} class={`pill ${peerState}`}>
        {t[PEER_TEXT[peerState]]}
        {via === "relay" && t.viaRelay}
      </span>
    </div>
  );
}

/** Whole seconds until `at`, ticking; null when there is no deadline. */
function useCountdown(at: number | null): number | null {
  const [, tick] = useState(0);
  useEffect(() => {
    if (at === null) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
