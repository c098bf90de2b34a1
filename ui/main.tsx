/** Mounts the island once: read the inline config, wire browser adapters, render. */
import { Peer } from "peerjs";
import { render } from "preact";
import type { ClientConfig } from "../src/protocol/index.ts";
import { App } from "./components/App.tsx";
import { browserMedia } from "./media.ts";
import { createPrivacyModel } from "./model/privacy.ts";
import { browserSettingsStore } from "./model/settings.ts";
import { identityRequester, peerSignaling } from "./peer-client.ts";
import { createPageModel } from "./state.ts";
import "./style.css";

const config: ClientConfig = JSON.parse(document.getElementById("config")!.textContent!);
const privacy = createPrivacyModel({ relay: config.relay, storage: storage() });
const model = createPageModel({
  requestIdentity: identityRequester("", (window as { earlyIdentity?: Promise<Response> }).earlyIdentity),
  openSignaling: peerSignaling(Peer, config, location, { relayOnly: () => privacy.hidden.value }),
  media: browserMedia(),
  maxMessageLength: config.maxMessageLength,
  privacy,
  store: browserSettingsStore(),
  languages: navigator.languages,
  // What the server chose from Accept-Language comes first.
  pageLanguage: document.documentElement.lang,
  preferences: config.preferences,
});
render(<App model={model} />, document.getElementById("app")!);
model.start();
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
