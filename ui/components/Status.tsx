/** The two status lines: words for people, data-state for scripts. */
import { useEffect, useState } from "preact/hooks";
import type { Chat } from "../state.ts";

const SERVER_TEXT = {
  connecting: "Connecting to the server…",
  connected: "Connected to the server",
  disconnected: "Server connection lost",
  blocked: "Not available in your country",
} as const;

const PEER_TEXT = {
  idle: "No stranger yet",
  waiting: "Looking for a stranger…",
  connecting: "Connecting to a stranger…",
  connected: "Chatting with a stranger",
} as const;

export function Status({ chat }: { chat: Chat }) {
  const server = chat.serverState.value;
  const peer = chat.peerState.value;
  const retryIn = useCountdown(chat.reconnectAt.value);
  return (
    <div class="status" role="status" aria-live="polite">
      <span id="peerServerStatus" data-state={server} class={`pill ${server}`}>
        {SERVER_TEXT[server]}
        {/* Seen, not announced: a live region would repeat the whole line every second. */}
        {server === "disconnected" && retryIn !== null && <span aria-hidden="true">, retrying in {retryIn} s</span>}
      </span>
      <span id="peerStatus" data-state={peer} class={`pill ${peer}`}>{PEER_TEXT[peer]}</span>
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
