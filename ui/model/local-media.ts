/**
 * The visitor's own camera and microphone: the outgoing stream, the device
 * lists and pickers, the on/off toggles, what went wrong getting them, and
 * what the stranger should be told about them (`announcement`).
 *
 * The stream always carries one audio and one video track, placeholders
 * until a device starts, so that a call never has to be renegotiated: a new
 * track replaces the old one in place (`onTrack` puts it into the live call).
 * A shared screen takes the camera's place the same way (`override`).
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import type { Device, Kind, MediaAdapter } from "../media.ts";
import type { MediaMessage } from "../peer-messages.ts";
import { CAPTION, type CaptionKey, type NoticeKey, TEXT } from "./text.ts";

/** One signal per kind, so the audio and video controls read the same way. */
export type PerKind<T> = Readonly<Record<Kind, ReadonlySignal<T>>>;

export interface LocalMediaDeps {
  readonly adapter: MediaAdapter;
  /** A new track is in the outgoing stream; the live call, if any, should carry it. */
  readonly onTrack: (track: MediaStreamTrack) => void;
}

export interface LocalMediaModel {
  readonly localStream: MediaStream;
  /** Whether the visitor has each kind switched on. */
  readonly enabled: PerKind<boolean>;
  /** Which kinds have a real device (else a placeholder track is sent). */
  readonly hasDevice: PerKind<boolean>;
  /** Devices to pick from; empty until the browser has given permission. */
  readonly inputs: PerKind<readonly Device[]>;
  readonly selected: PerKind<string>;
  readonly mediaProblem: ReadonlySignal<NoticeKey | null>;
  /** What the stranger is told; a new value only when one of its flags changes. */
  readonly announcement: ReadonlySignal<MediaMessage>;
  /** Laid over the visitor's own video. */
  readonly ownCaption: ReadonlySignal<CaptionKey | null>;
  /** Another video track (a shared screen) is sent instead of the camera's. */
  readonly overridden: ReadonlySignal<boolean>;
  /** Ask for camera and microphone (unless `capture` is false: text only), and follow device changes. */
  start(capture?: boolean): void;
  /** Sends `track` instead of the camera's (null: the camera's again); the camera keeps running meanwhile. */
  override(track: MediaStreamTrack | null): void;
  /** Stops the camera and microphone (text only): placeholders go in their place. */
  release(): void;
  retryMedia(): Promise<void>;
  /** Pause or resume the outgoing track of that kind. */
  toggle(kind: Kind): void;
  /** Switch camera or microphone live, in the call too. */
  selectDevice(kind: Kind, deviceId: string): Promise<void>;
  dispose(): void;
}

const KINDS = ["audio", "video"] as const;
const INPUT = { audio: "audioinput", video: "videoinput" } as const;

/**
 * @example
 * const media = createLocalMediaModel({ adapter: browserMedia(), onTrack: (t) => call?.replaceTrack(t) });
 * media.start();
 * media.toggle("video"); // media.announcement.value.video === false
 */
export function createLocalMediaModel({ adapter, onTrack }: LocalMediaDeps): LocalMediaModel {
  const perKind = <T>(make: (kind: Kind) => T) => ({ audio: make("audio"), video: make("video") });
  const enabled = perKind(() => signal(true));
  const hasDevice = perKind(() => signal(false));
  const selected = perKind(() => signal(""));
  const devices = signal<readonly Device[]>([]);
  const inputs = perKind((kind) => computed(() => devices.value.filter((d) => d.kind === INPUT[kind])));
  const mediaProblem = signal<NoticeKey | null>(null);
  const overridden = signal(false);
  const announcement = computed((): MediaMessage => ({
    t: "media",
    // A shared screen is video the stranger sees, camera or not.
    camera: hasDevice.video.value || overridden.value,
    video: (hasDevice.video.value && enabled.video.value) || overridden.value,
    microphone: hasDevice.audio.value,
    audio: hasDevice.audio.value && enabled.audio.value,
  }));
  const ownCaption = computed(() =>
    overridden.value ? null : !hasDevice.video.value ? CAPTION.noCamera : !enabled.video.value ? CAPTION.cameraOff : null
  );

  const tracks = perKind((kind) => adapter.placeholder(kind));
  const localStream = adapter.stream([tracks.audio, tracks.video]);
  let stopWatching: (() => void) | undefined;
  /** The track sent instead of the camera's, if any. */
  let instead: MediaStreamTrack | null = null;

  /** Puts `next` in the stream and the call in place of `old`. */
  function swap(old: MediaStreamTrack, next: MediaStreamTrack) {
    localStream.removeTrack(old);
    localStream.addTrack(next);
    onTrack(next);
  }

  function install(track: MediaStreamTrack, device = true) {
    const kind = track.kind as Kind;
    const old = tracks[kind];
    track.enabled = enabled[kind].value;
    tracks[kind] = track;
    if (!(kind === "video" && instead)) swap(old, track);
    old.stop();
    hasDevice[kind].value = device;
    selected[kind].value = device ? track.getSettings().deviceId ?? "" : "";
  }

  async function capture(wanted: Partial<Record<Kind, true | string>>) {
    const captured = await adapter.capture(wanted);
    // One batch, so that the stranger hears of both devices in one message.
    batch(() => captured.forEach((track) => install(track)));
  }

  async function acquire() {
    mediaProblem.value = null;
    const wanted = { audio: selected.audio.value || true, video: selected.video.value || true } as const;
    let problem: unknown = null;
    try {
      await capture(wanted);
    } catch (error) {
      problem = error;
      // One missing or busy device should not cost the other: try each alone.
      if ((error as Error).name !== "NotAllowedError") {
        for (const kind of KINDS) {
          try {
            await capture({ [kind]: wanted[kind] });
          } catch {
            // reported below if nothing worked
          }
        }
      }
    }
    if (problem && !(hasDevice.audio.value && hasDevice.video.value)) {
      mediaProblem.value = describe(problem, { audio: hasDevice.audio.value, video: hasDevice.video.value });
    }
    await refreshDevices();
  }

  async function refreshDevices() {
    try {
      // Without permission a browser lists devices with no id, which cannot be picked.
      devices.value = (await adapter.devices()).filter((d) => d.deviceId !== "");
    } catch {
      devices.value = [];
    }
  }

  return {
    localStream,
    enabled,
    hasDevice,
    inputs,
    selected,
    mediaProblem,
    announcement,
    ownCaption,
    overridden,

    start(capture = true) {
      stopWatching = adapter.watchDevices(() => void refreshDevices());
      if (capture) void acquire();
    },

    override(track) {
      if (track === instead) return;
      swap(instead ?? tracks.video, track ?? tracks.video);
      instead = track;
      overridden.value = track !== null;
    },

    release() {
      batch(() => {
        for (const kind of KINDS) if (hasDevice[kind].value) install(adapter.placeholder(kind), false);
        mediaProblem.value = null;
      });
    },

    retryMedia: acquire,

    toggle(kind) {
      enabled[kind].value = !enabled[kind].value;
      tracks[kind].enabled = enabled[kind].value;
    },

    async selectDevice(kind, deviceId) {
      try {
        await capture({ [kind]: deviceId });
        mediaProblem.value = null;
      } catch (error) {
        mediaProblem.value = describe(error);
      }
    },

    dispose() {
      stopWatching?.();
      for (const track of localStream.getTracks()) track.stop();
    },
  };
}

/** What went wrong getting media, given which devices did start. */
function describe(error: unknown, started: Record<Kind, boolean> = { audio: false, video: false }): NoticeKey {
  switch ((error as Error | null)?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return TEXT.denied;
    case "NotFoundError":
    case "OverconstrainedError":
      return started.audio ? TEXT.noCamera : started.video ? TEXT.noMicrophone : TEXT.notFound;
    case "NotReadableError":
    case "AbortError":
      return TEXT.busy;
    default:
      return TEXT.failed;
  }
}
