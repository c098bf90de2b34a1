/**
 * Sharing a screen or a window instead of the camera: the browser's
 * getDisplayMedia gives a video track, which takes the camera's place in the
 * call (replaceTrack, no renegotiation); when sharing stops, by our button or
 * the browser's own "Stop sharing", the camera goes back. Where the browser
 * cannot share a screen (phones), it is not offered at all.
 */
import { type ReadonlySignal, signal } from "@preact/signals";
import type { LocalMediaModel } from "./local-media.ts";
import { type NoticeKey, TEXT } from "./text.ts";

export interface ScreenShareDeps {
  /** The browser's screen picker; absent where there is none. */
  readonly capture?: () => Promise<MediaStreamTrack>;
  readonly media: Pick<LocalMediaModel, "override">;
}

export interface ScreenShareModel {
  readonly available: boolean;
  readonly sharing: ReadonlySignal<boolean>;
  /** Why sharing did not start (cancelled or blocked): the camera stays. */
  readonly problem: ReadonlySignal<NoticeKey | null>;
  share(): Promise<void>;
  stop(): void;
  dismiss(): void;
}

/**
 * @example
 * const screen = createScreenShareModel({ capture: media.screen, media: localMedia });
 * await screen.share(); // the stranger sees the screen
 * screen.stop();        // and the camera again
 */
export function createScreenShareModel({ capture, media }: ScreenShareDeps): ScreenShareModel {
  const sharing = signal(false);
  const problem = signal<NoticeKey | null>(null);
  let track: MediaStreamTrack | null = null;

  function stop() {
    const shared = track;
    if (!shared) return;
    track = null;
    media.override(null);
    shared.stop();
    sharing.value = false;
  }

  return {
    available: capture !== undefined,
    sharing,
    problem,
    stop,
    dismiss() {
      problem.value = null;
    },

    async share() {
      if (!capture || track) return;
      problem.value = null;
      let shared: MediaStreamTrack;
      try {
        shared = await capture();
      } catch {
        // NotAllowedError (cancelled, or blocked by policy) and the rest alike: nothing changes.
        problem.value = TEXT.screenDenied;
        return;
      }
      track = shared;
      // The browser's own "Stop sharing" ends the track.
      shared.addEventListener("ended", () => track === shared && stop());
      media.override(shared);
      sharing.value = true;
    },
  };
}
