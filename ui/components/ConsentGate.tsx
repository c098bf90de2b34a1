/**
 * The one screen before the camera: the operator's rules, as plain text
 * (a text node, never HTML, so Markdown shows as written), and the age and
 * rules to accept.
 */
import type { ConsentModel } from "../model/consent.ts";
import { SAFETY_TEXT } from "../model/safety-text.ts";

export function ConsentGate({ consent }: { consent: ConsentModel }) {
  return (
    <section id="consent" class="notice consent" role="dialog" aria-modal="true" aria-labelledby="consentTitle">
      <h2 id="consentTitle">{SAFETY_TEXT.consentTitle}</h2>
      <p>{SAFETY_TEXT.consentIntro}</p>
      <div id="consentRules" class="rules" tabIndex={0}>{consent.rules}</div>
      <button id="consentAccept" type="button" class="accept" onClick={consent.accept} autoFocus>
        {SAFETY_TEXT.consentAccept(consent.minAge)}
      </button>
    </section>
  );
}
