/** The bar at the top: the name, how many are online, the two status lines, and the page's language. */
import type { ReadonlySignal } from "@preact/signals";
import type { Catalog, Locale } from "../i18n/index.ts";
import { CATALOGS, LOCALES } from "../i18n/index.ts";
import type { ServerState } from "../model/connection.ts";
import type { Route } from "../model/route.ts";
import type { PeerState } from "../model/stranger.ts";
import { Status } from "./Status.tsx";

export function Header({ t, online, server, peer, reconnectAt, route, locale, setLocale }: {
  t: Catalog;
  online: ReadonlySignal<number | null>;
  server: ReadonlySignal<ServerState>;
  peer: ReadonlySignal<PeerState>;
  reconnectAt: ReadonlySignal<number | null>;
  route: ReadonlySignal<Route | null>;
  locale: ReadonlySignal<Locale>;
  setLocale: (locale: Locale) => void;
}) {
  const count = online.value;
  return (
    <header class="bar">
      <h1>{t.title}</h1>
      {/* Always there (empty until the server says), so that nothing shifts when the count arrives. */}
      <span id="onlineCount" class="online">{count === null ? "" : t.online(new Intl.NumberFormat(t.lang).format(count))}</span>
      <Status t={t} server={server} peer={peer} reconnectAt={reconnectAt} route={route} />
      <label class="language">
        <span class="sr-only">{t.language}</span>
        <select id="language" value={locale.value} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
          {LOCALES.map((l) => <option key={l} value={l} lang={CATALOGS[l].lang}>{CATALOGS[l].languageName}</option>)}
        </select>
      </label>
    </header>
  );
}
