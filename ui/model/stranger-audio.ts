/** How loud the stranger is: a volume (#peerVolume) and a mute, both only on this side. */
import { type ReadonlySignal, signal } from "@preact/signals";

export interface StrangerAudioModel {
  /** 0 to 1. */
  readonly volume: ReadonlySignal<number>;
  readonly muted: ReadonlySignal<boolean>;
  setVolume(volume: number): void;
  toggleMute(): void;
}

export function createStrangerAudioModel(): StrangerAudioModel {
  const volume = signal(1);
  const muted = signal(false);
  return {
    volume,
    muted,
    setVolume(value) {
      volume.value = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 1;
      // Turning the volume up is meant to be heard.
      if (volume.value > 0) muted.value = false;
    },
    toggleMute() {
      muted.value = !muted.value;
    },
  };
}
