/**
 * The whole page: status, the two videos, chat and controls; or the consent
 * screen before it, or the refusal notice. The one component that sees the
 * whole model: it hands each part only the signals and actions that part renders.
 */
import { useEffect } from "preact/hooks";
import type { ConsentModel } from "../model/consent.ts";
import type { PageModel } from "../state.ts";
import { ChatPanel } from "./ChatPanel.tsx";
import { ConsentGate } from "./ConsentGate.tsx";
import { Controls } from "./Controls.tsx";
import { Refused } from "./Refused.tsx";
import { ReportButton } from "./ReportButton.tsx";
import { Status } from "./Status.tsx";
import { Video } from "./Video.tsx";

export function App({ model, consent }: { model: PageModel; consent: ConsentModel }) {
  const { next } = model;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Escape also cancels an input method's composition: that is not Next.
      if (event.key === "Escape" && !event.repeat && !event.isComposing) next();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [next]);

  return (
    <main class="app">
      <header class="bar">
        <h1>chatroulette</h1>
        <Status server={model.serverState} peer={model.peerState} reconnectAt={model.reconnectAt} />
      </header>
      {consent.needed.value
        ? <ConsentGate consent={consent} />
        : model.serverState.value === "blocked" || model.serverState.value === "banned"
        ? <Refused state={model.serverState.value} message={model.blockedMessage.value} bannedUntil={model.bannedUntil.value} />
        : (
          <>
            <section class="stage" aria-label="Video">
              <Video id="peerVideo" stream={model.remoteStream.value} label="Stranger's video">
                {model.strangerCaption.value}
              </Video>
              <ReportButton canReport={model.canReport} report={model.report} minAge={consent.minAge} />
              <Video id="localVideo" stream={model.localStream} muted mirrored label="Your video">
                {model.ownCaption.value}
              </Video>
            </section>
            <ChatPanel
              messages={model.messages}
              strangerTyping={model.strangerTyping}
              canChat={model.canChat}
              maxLength={model.maxMessageLength}
              send={model.send}
              typing={model.typing}
            />
            <Controls
              problem={model.mediaProblem}
              retry={model.retryMedia}
              inputs={model.inputs}
              selected={model.selected}
              select={model.selectDevice}
              enabled={model.enabled}
              toggle={model.toggle}
              canNext={model.canNext}
              next={model.next}
            />
          </>
        )}
    </main>
  );
}
