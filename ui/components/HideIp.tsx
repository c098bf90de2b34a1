/** The "Hide my IP address from strangers" switch, when the operator offers the choice. */
import type { PrivacyModel } from "../model/privacy.ts";

export function HideIp({ privacy }: { privacy: PrivacyModel }) {
  if (!privacy.offered) return null;
  return (
    <label
      class="toggle"
      for="hideIp"
      title="Video goes through the server's relay, so strangers never see your IP address. It may be a little slower. Applies from the next stranger."
    >
      <input id="hideIp" type="checkbox" role="switch" checked={privacy.hidden.value} onChange={(e) => privacy.setHidden(e.currentTarget.checked)} />
      <span>Hide my IP address from strangers</span>
    </label>
  );
}
