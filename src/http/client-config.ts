/**
 * What the page (and any scripted client) needs to know to connect: served
 * inline in the page and at GET /api/config. Nothing here is hard-coded to a
 * host or port; the page connects back to wherever it was loaded from. TURN
 * servers are not here: each identity brings its own credentials for them.
 */
import type { Config } from "../config/schema.ts";
import { type ClientConfig, type IceServer, MAX_MESSAGE_LENGTH, PEER_KEY, type RelayPolicy } from "../protocol/index.ts";

/** `rules`: the house rules' text (src/safety/house-rules.ts reads them). */
export function clientConfig(
  { path, stunUrl, turnUrl, relayOnly, iceServers, minAge, nextBurst, nextPerMinute, preferences }: Pick<
    Config,
    "path" | "stunUrl" | "turnUrl" | "relayOnly" | "iceServers" | "minAge" | "nextBurst" | "nextPerMinute" | "preferences"
  >,
  rules = "",
): ClientConfig {
  const relay: RelayPolicy = relayOnly ? "forced" : turnUrl.length > 0 ? "optional" : "unavailable";
  // Relayed media never uses STUN: no need to have every visitor ask it.
  const stun: IceServer[] = relayOnly || stunUrl.length === 0 ? [] : [{ urls: stunUrl.length === 1 ? stunUrl[0] : [...stunUrl] }];
  return {
    path: `${path}/`,
    key: PEER_KEY,
    iceServers: [...stun, ...iceServers],
    maxMessageLength: MAX_MESSAGE_LENGTH,
    relay,
    minAge,
    rules,
    nextLimit: { burst: nextBurst, perMinute: nextPerMinute },
    preferences,
  };
}
