/**
 * The one screen before the camera: the operator's rules, as plain text
 * (a text node, never HTML, so Markdown shows as written), and the age and
 * rules to accept.
 */
import type { Catalog } from "../i18n/index.ts";
import type { ConsentModel } from "../model/consent.ts";

export function ConsentGate({ t, consent }: { t: Catalog; consent: ConsentModel }) {
  return (
    <section id="consent" class="notice consent" role="dialog" aria-modal="true" aria-labelledby="consentTitle">
      <h2 id="consentTitle">{t.consentTitle}</h2>
      <p>{t.consentIntro}</p>
      <div id="consentRules" class="rules" tabIndex={0}>{consent.rules}</div>
      <button id="consentAccept" type="button" class="accept" onClick={consent.accept} autoFocus>
        {t.consentAccept(String(consent.minAge))}
      </button>
    </section>
  );
}
