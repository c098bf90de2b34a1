/** Mounts the island once: read the inline config, wire browser adapters, render; start once consent is given. */
import { effect } from "@preact/signals";
import { Peer } from "peerjs";
import { render } from "preact";
import type { ClientConfig } from "../src/protocol/index.ts";
import { App } from "./components/App.tsx";
import { browserMedia } from "./media.ts";
import { createConsentModel } from "./model/consent.ts";
import { createPrivacyModel } from "./model/privacy.ts";
import { browserSettingsStore } from "./model/settings.ts";
import { identityRequester, peerSignaling } from "./peer-client.ts";
import { solveInWorkers } from "./pow.ts";
import { createPageModel } from "./state.ts";
import "./style.css";

const config: ClientConfig = JSON.parse(document.getElementById("config")!.textContent!);
const privacy = createPrivacyModel({ relay: config.relay, storage: storage() });
// A few workers share the proof of work when the server asks for one; more cores add little for a fraction of a second.
const solve = solveInWorkers(POW_WORKER_URL, Math.min(4, navigator.hardwareConcurrency || 1));
const model = createPageModel({
  requestIdentity: identityRequester("", (window as { earlyIdentity?: Promise<Response> }).earlyIdentity, solve),
  openSignaling: peerSignaling(Peer, config, location, { relayOnly: () => privacy.hidden.value }),
  media: browserMedia(),
  maxMessageLength: config.maxMessageLength,
  nextLimit: config.nextLimit,
  privacy,
  store: browserSettingsStore(),
  languages: navigator.languages,
  // What the server chose from Accept-Language comes first.
  pageLanguage: document.documentElement.lang,
  preferences: config.preferences,
});
const consent = createConsentModel({ minAge: config.minAge, rules: config.rules, storage: storage() ?? null });
render(<App model={model} consent={consent} />, document.getElementById("app")!);
// The camera is asked for, and a stranger looked for, only once the visitor has accepted
// (outside the effect, so that nothing start() reads becomes its dependency).
let started = false;
const waitForConsent = effect(() => {
  if (!consent.needed.value) queueMicrotask(start);
});
function start() {
  if (started) return;
  started = true;
  waitForConsent();
  model.start();
}
addEventListener("pagehide", () => model.dispose());
// Back to a page kept in the back/forward cache: everything was let go on pagehide.
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

/** localStorage, or none where reading it throws (storage blocked for the site). */
function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}
