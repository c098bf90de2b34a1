/**
 * The one row of controls (on a phone, the thumb bar at the bottom): audio
 * and video toggles, screen sharing, the stranger's volume and mute, Next; on
 * a phone the chat (with its unread count) and settings buttons instead of
 * sharing and volume (phones share no screen, and have volume keys).
 * Problems with the camera or the screen float above it, so the page does
 * not move.
 */
import type { ReadonlySignal } from "@preact/signals";
import type { Catalog } from "../i18n/index.ts";
import type { Kind } from "../media.ts";
import type { PerKind } from "../model/local-media.ts";
import type { ScreenShareModel } from "../model/screen-share.ts";
import type { StrangerAudioModel } from "../model/stranger-audio.ts";
import { type NoticeKey, say } from "../model/text.ts";

export type Panel = "chat" | "settings" | null;

const TOGGLE = {
  audio: { id: "audioToggle", on: "microphoneOn", short: "mic" },
  video: { id: "videoToggle", on: "cameraOn", short: "cam" },
} as const;

export function Controls({ t, problem, retry, enabled, toggle, screen, audio, textOnly, unread, panel, show, canNext, next }: {
  t: Catalog;
  problem: ReadonlySignal<NoticeKey | null>;
  retry: () => Promise<void>;
  enabled: PerKind<boolean>;
  toggle: (kind: Kind) => void;
  screen: ScreenShareModel;
  audio: StrangerAudioModel;
  textOnly: boolean;
  unread: ReadonlySignal<number>;
  panel: Panel;
  show: (panel: Panel) => void;
  canNext: ReadonlySignal<boolean>;
  next: () => void;
}) {
  const media = problem.value;
  const screenProblem = screen.problem.value;
  const count = unread.value;
  const sharing = screen.sharing.value;
  return (
    <section class="controls" aria-label={t.controls}>
      <div class="problems">
        {media && !textOnly && (
          <p class="problem" role="alert">
            {say(t, media)} <button type="button" onClick={() => void retry()}>{t.retry}</button>
          </p>
        )}
        {screenProblem && (
          <p class="problem" role="alert">
            {say(t, screenProblem)} <button type="button" onClick={screen.dismiss}>{t.dismiss}</button>
          </p>
        )}
      </div>
      {!textOnly && (
        <>
          <Toggle t={t} kind="audio" checked={enabled.audio.value} toggle={toggle} />
          <Toggle t={t} kind="video" checked={enabled.video.value} toggle={toggle} />
          {screen.available && (
            <button id="screenShare" type="button" class="desk-only" aria-pressed={sharing} onClick={() => sharing ? screen.stop() : void screen.share()}>
              {sharing ? t.stopSharing : t.shareScreen}
            </button>
          )}
          <label class="volume desk-only">
            <span class="sr-only">{t.strangerVolume}</span>
            <input
              id="peerVolume"
              type="range"
              min={0}
              max={100}
              step={5}
              value={Math.round(audio.volume.value * 100)}
              onInput={(e) => audio.setVolume(Number(e.currentTarget.value) / 100)}
            />
          </label>
          <button id="muteStranger" type="button" class="desk-only" aria-pressed={audio.muted.value} onClick={audio.toggleMute}>
            {audio.muted.value ? t.unmuteStranger : t.muteStranger}
          </button>
        </>
      )}
      <button id="openChat" type="button" class="phone-only" aria-expanded={panel === "chat"} onClick={() => show(panel === "chat" ? null : "chat")}>
        {t.chat}
        {count > 0 && <span class="badge" aria-label={t.unread(String(count))}>{count}</span>}
      </button>
      <button id="openSettings" type="button" class="phone-only" aria-expanded={panel === "settings"} onClick={() => show(panel === "settings" ? null : "settings")}>
        {t.settings}
      </button>
      <button id="next" type="button" class="next" onClick={next} disabled={!canNext.value} aria-keyshortcuts="Escape">
        {t.next} <kbd>Esc</kbd>
      </button>
    </section>
  );
}

function Toggle({ t, kind, checked, toggle }: { t: Catalog; kind: Kind; checked: boolean; toggle: (kind: Kind) => void }) {
  const { id, on, short } = TOGGLE[kind];
  return (
    <label class="toggle" for={id}>
      <input id={id} type="checkbox" role="switch" checked={checked} onChange={() => toggle(kind)} />
      <span class="long">{t[on]}</span>
      <span class="short" aria-hidden="true">{t[short]}</span>
    </label>
  );
}
