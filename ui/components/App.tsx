/**
 * The whole page: the bar, the stage, the controls, and beside them the
 * settings and the chat; or the consent screen before them, or the refusal
 * notice (a country, a ban). The one component that sees the whole model: it
 * hands each part only the signals and actions that part renders, and the
 * catalog of the visitor's language.
 */
import { useEffect, useState } from "preact/hooks";
import { CATALOGS } from "../i18n/index.ts";
import type { ConsentModel } from "../model/consent.ts";
import type { PageModel } from "../state.ts";
import { ChatPanel } from "./ChatPanel.tsx";
import { ConsentGate } from "./ConsentGate.tsx";
import { Controls, type Panel } from "./Controls.tsx";
import { Devices } from "./Devices.tsx";
import { Header } from "./Header.tsx";
import { HideIp } from "./HideIp.tsx";
import { MatchSettings } from "./MatchSettings.tsx";
import { Refused } from "./Refused.tsx";
import { ReportButton } from "./ReportButton.tsx";
import { Stage } from "./Stage.tsx";

/** Where the layout turns into the phone's (style.css says the same). */
const NARROW = "(max-width: 720px)";

export function App({ model, consent }: { model: PageModel; consent: ConsentModel }) {
  const { next, settings } = model;
  const t = CATALOGS[settings.locale.value];
  const [panel, show] = useState<Panel>(null);
  const narrow = useMedia(NARROW);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Escape also cancels an input method's composition: that is not Next.
      if (event.key === "Escape" && !event.repeat && !event.isComposing) next();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [next]);
  useEffect(() => {
    document.documentElement.lang = t.lang;
  }, [t]);

  const textOnly = settings.textOnly.value;
  const serverState = model.serverState.value;
  const layout = ["app", textOnly ? "text-only" : "", panel ? `panel-${panel}` : ""].join(" ").trim();
  return (
    <main class={layout}>
      <Header
        t={t}
        online={model.online}
        server={model.serverState}
        peer={model.peerState}
        reconnectAt={model.reconnectAt}
        route={model.route}
        locale={settings.locale}
        setLocale={settings.setLocale}
      />
      {consent.needed.value
        ? <ConsentGate t={t} consent={consent} />
        : serverState === "blocked" || serverState === "banned"
        ? <Refused t={t} state={serverState} refused={model.refused.value} bannedUntil={model.bannedUntil.value} />
        : (
          <>
            <Stage
              t={t}
              remote={model.remoteStream}
              local={model.localStream}
              strangerCaption={model.strangerCaption}
              ownCaption={model.ownCaption}
              mirrored={!model.screen.sharing.value}
              quality={model.quality}
              volume={model.audio.volume}
              muted={model.audio.muted}
              next={next}
            >
              <ReportButton t={t} canReport={model.canReport} report={model.report} minAge={consent.minAge} />
            </Stage>
            <Controls
              t={t}
              problem={model.mediaProblem}
              retry={model.retryMedia}
              enabled={model.enabled}
              toggle={model.toggle}
              screen={model.screen}
              audio={model.audio}
              textOnly={textOnly}
              unread={model.unread}
              panel={panel}
              show={show}
              canNext={model.canNext}
              next={next}
            />
            <aside class="side">
              <section class="settings" aria-label={t.settings}>
                <button type="button" class="phone-only close" onClick={() => show(null)}>{t.closeSettings}</button>
                <MatchSettings t={t} settings={settings} />
                {!textOnly && <HideIp t={t} privacy={model.privacy} />}
                {!textOnly && <Devices t={t} inputs={model.inputs} selected={model.selected} select={model.selectDevice} />}
              </section>
              <ChatPanel
                t={t}
                messages={model.messages}
                strangerTyping={model.strangerTyping}
                canChat={model.canChat}
                maxLength={model.maxMessageLength}
                send={model.send}
                typing={model.typing}
                visible={!narrow || panel === "chat"}
                seen={model.seen}
                close={() => show(null)}
              />
            </aside>
          </>
        )}
    </main>
  );
}

/** Whether a media query matches, following it. */
function useMedia(query: string): boolean {
  const [matches, set] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const change = () => set(list.matches);
    list.addEventListener("change", change);
    return () => list.removeEventListener("change", change);
  }, [query]);
  return matches;
}
