/** Device pickers, audio/video toggles, Next, and the camera problem with its retry. */
import type { Device, Kind } from "../media.ts";
import type { Chat } from "../state.ts";

export function Controls({ chat }: { chat: Chat }) {
  const serverUp = chat.serverState.value === "connected";
  return (
    <section class="controls" aria-label="Controls">
      {chat.mediaProblem.value && (
        <p class="problem" role="alert">
          {chat.mediaProblem.value} <button type="button" onClick={() => void chat.retryMedia()}>Retry</button>
        </p>
      )}
      <DevicePicker id="audioInput" label="Microphone" kind="audio" devices={chat.audioInputs.value} value={chat.selectedAudio.value} chat={chat} />
      <DevicePicker id="videoInput" label="Camera" kind="video" devices={chat.videoInputs.value} value={chat.selectedVideo.value} chat={chat} />
      <Toggle id="audioToggle" label="Microphone on" checked={chat.audioOn.value} onChange={chat.toggleAudio} />
      <Toggle id="videoToggle" label="Camera on" checked={chat.videoOn.value} onChange={chat.toggleVideo} />
      <button id="next" type="button" class="next" onClick={chat.next} disabled={!serverUp} aria-keyshortcuts="Escape">
        Next <kbd>Esc</kbd>
      </button>
    </section>
  );
}

function DevicePicker(
  { id, label, kind, devices, value, chat }: {
    id: string;
    label: string;
    kind: Kind;
    devices: readonly Device[];
    value: string;
    chat: Chat;
  },
) {
  return (
    <div class="picker">
      <label for={id}>{label}</label>
      <select id={id} value={value} disabled={devices.length === 0} onChange={(e) => void chat.selectDevice(kind, e.currentTarget.value)}>
        {devices.length === 0 && <option value="">None found</option>}
        {devices.map((d, i) => <option key={d.deviceId} value={d.deviceId}>{d.label || `${label} ${i + 1}`}</option>)}
      </select>
    </div>
  );
}

function Toggle({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: () => void }) {
  return (
    <label class="toggle" for={id}>
      <input id={id} type="checkbox" role="switch" checked={checked} onChange={onChange} />
      <span>{label}</span>
    </label>
  );
}
