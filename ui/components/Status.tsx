/** The two status lines: words for people, data-state for scripts. */
import type { ReadonlySignal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import type { ServerState } from "../model/connection.ts";
import type { PeerState } from "../model/stranger.ts";

const SERVER_TEXT = {
  connecting: "Connecting to the server…",
  connected: "Connected to the server",
  disconnected: "Server connection lost",
  blocked: "Not available in your country",
  banned: "Banned for now",
} as const;

const PEER_TEXT = {
  idle: "No stranger yet",
  waiting: "Looking for a stranger…",
  connecting: "Connecting to a stranger…",
  connected: "Chatting with a stranger",
} as const;

export function Status({ server, peer, reconnectAt }: {
  server: ReadonlySignal<ServerState>;
  peer: ReadonlySignal<PeerState>;
  reconnectAt: ReadonlySignal<number | null>;
}) {
  const serverState = server.value;
  const peerState = peer.value;
  const retryIn = useCountdown(reconnectAt.value);
  return (
    <div class="status" role="status" aria-live="polite">
      <span id="peerServerStatus" data-state={serverState} class={`pill ${serverState}`}>
        {SERVER_TEXT[serverState]}
        {/* Seen, not announced: a live region would repeat the whole line every second. */}
        {serverState === "disconnected" && retryIn !== null && <span aria-hidden="true">, retrying in {retryIn} s</span>}
      </span>
      <span id="peerStatus" data-state={peerState} class={`pill ${peerState}`}>{PEER_TEXT[peerState]}</span>
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
