/** The microphone and camera pickers, with real device names once the browser has given permission. */
import type { Catalog } from "../i18n/index.ts";
import type { Device, Kind } from "../media.ts";
import type { PerKind } from "../model/local-media.ts";

const PICKER = { audio: { id: "audioInput", label: "microphone" }, video: { id: "videoInput", label: "camera" } } as const;

export function Devices({ t, inputs, selected, select }: {
  t: Catalog;
  inputs: PerKind<readonly Device[]>;
  selected: PerKind<string>;
  select: (kind: Kind, deviceId: string) => Promise<void>;
}) {
  return (
    <div class="devices">
      <DevicePicker t={t} kind="audio" devices={inputs.audio.value} value={selected.audio.value} select={select} />
      <DevicePicker t={t} kind="video" devices={inputs.video.value} value={selected.video.value} select={select} />
    </div>
  );
}

function DevicePicker({ t, kind, devices, value, select }: {
  t: Catalog;
  kind: Kind;
  devices: readonly Device[];
  value: string;
  select: (kind: Kind, deviceId: string) => Promise<void>;
}) {
  const { id, label: key } = PICKER[kind];
  const label = t[key];
  return (
    <div class="picker">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={devices.length === 0} onChange={(e) => void select(kind, e.currentTarget.value)}>
        {devices.length === 0 && <option value="">{t.noneFound}</option>}
        {devices.map((d, i) => <option key={d.deviceId} value={d.deviceId}>{d.label || `${label} ${i + 1}`}</option>)}
      </select>
    </div>
  );
}
