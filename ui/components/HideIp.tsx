/** The "Hide my IP address from strangers" switch, when the operator offers the choice. */
import type { Catalog } from "../i18n/index.ts";
import type { PrivacyModel } from "../model/privacy.ts";

export function HideIp({ t, privacy }: { t: Catalog; privacy: PrivacyModel }) {
  if (!privacy.offered) return null;
  return (
    <label class="toggle" for="hideIp" title={t.hideIpHint}>
      <input id="hideIp" type="checkbox" role="switch" checked={privacy.hidden.value} onChange={(e) => privacy.setHidden(e.currentTarget.checked)} />
      <span>{t.hideIp}</span>
    </label>
  );
}
