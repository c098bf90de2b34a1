/** The whole page: status, the two videos, chat and controls; or the refusal notice. */
import { useEffect } from "preact/hooks";
import type { Chat as ChatModel } from "../state.ts";
import { Chat } from "./Chat.tsx";
import { Controls } from "./Controls.tsx";
import { Status } from "./Status.tsx";
import { Video } from "./Video.tsx";

export function App({ chat }: { chat: ChatModel }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Escape also cancels an input method's composition: that is not Next.
      if (event.key === "Escape" && !event.repeat && !event.isComposing) chat.next();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [chat]);

  const blocked = chat.serverState.value === "blocked";
  return (
    <main class="app">
      <header class="bar">
        <h1>chatroulette</h1>
        <Status chat={chat} />
      </header>
      {blocked
        ? (
          <section class="notice" role="alert">
            <h2>Not available here</h2>
            <p>{chat.blockedMessage.value}</p>
          </section>
        )
        : (
          <>
            <section class="stage" aria-label="Video">
              <Video id="peerVideo" stream={chat.remoteStream.value} label="Stranger's video">
                {strangerCaption(chat)}
              </Video>
              <Video id="localVideo" stream={chat.localStream} muted mirrored label="Your video">
                {!chat.hasCamera.value ? "No camera" : !chat.videoOn.value ? "Camera off" : null}
              </Video>
            </section>
            <Chat chat={chat} />
            <Controls chat={chat} />
          </>
        )}
    </main>
  );
}

function strangerCaption(chat: ChatModel): string | null {
  switch (chat.peerState.value) {
    case "idle":
      return chat.serverState.value === "connected" ? null : "Connecting…";
    case "waiting":
      return "Looking for a stranger…";
    case "connecting":
      return "Connecting…";
  }
  const s = chat.stranger.value;
  if (s && !s.camera) return "The stranger has no camera";
  if (s && !s.video) return "The stranger paused their video";
  return null;
}
