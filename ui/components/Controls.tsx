/** Device pickers, audio/video toggles, Next, and the camera problem with its retry. */
import type { ReadonlySignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type { Device, Kind } from "../media.ts";
import type { PerKind } from "../model/local-media.ts";

const LABEL = {
  audio: { picker: "audioInput", device: "Microphone", toggle: "audioToggle", on: "Microphone on" },
  video: { picker: "videoInput", device: "Camera", toggle: "videoToggle", on: "Camera on" },
} as const;

export function Controls({ problem, retry, inputs, selected, select, enabled, toggle, canNext, next, children }: {
  problem: ReadonlySignal<string | null>;
  retry: () => Promise<void>;
  inputs: PerKind<readonly Device[]>;
  selected: PerKind<string>;
  select: (kind: Kind, deviceId: string) => Promise<void>;
  enabled: PerKind<boolean>;
  toggle: (kind: Kind) => void;
  canNext: ReadonlySignal<boolean>;
  next: () => void;
  /** More switches, placed after the media toggles. */
  children?: ComponentChildren;
}) {
  return (
    <section class="controls" aria-label="Controls">
      {problem.value && (
        <p class="problem" role="alert">
          {problem.value} <button type="button" onClick={() => void retry()}>Retry</button>
        </p>
      )}
      <DevicePicker kind="audio" devices={inputs.audio.value} value={selected.audio.value} select={select} />
      <DevicePicker kind="video" devices={inputs.video.value} value={selected.video.value} select={select} />
      <Toggle kind="audio" checked={enabled.audio.value} toggle={toggle} />
      <Toggle kind="video" checked={enabled.video.value} toggle={toggle} />
      {children}
      <button id="next" type="button" class="next" onClick={next} disabled={!canNext.value} aria-keyshortcuts="Escape">
        Next <kbd>Esc</kbd>
      </button>
    </section>
  );
}

function DevicePicker({ kind, devices, value, select }: {
  kind: Kind;
  devices: readonly Device[];
  value: string;
  select: (kind: Kind, deviceId: string) => Promise<void>;
}) {
  const { picker: id, device: label } = LABEL[kind];
  return (
    <div class="picker">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={devices.length === 0} onChange={(e) => void select(kind, e.currentTarget.value)}>
        {devices.length === 0 && <option value="">None found</option>}
        {devices.map((d, i) => <option key={d.deviceId} value={d.deviceId}>{d.label || `${label} ${i + 1}`}</option>)}
      </select>
    </div>
  );
}

function Toggle({ kind, checked, toggle }: { kind: Kind; checked: boolean; toggle: (kind: Kind) => void }) {
  const { toggle: id, on: label } = LABEL[kind];
  return (
    <label class="toggle" for={id}>
      <input id={id} type="checkbox" role="switch" checked={checked} onChange={() => toggle(kind)} />
      <span>{label}</span>
    </label>
  );
}
