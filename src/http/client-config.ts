/**
 * What the page (and any scripted client) needs to know to connect: served
 * inline in the page and at GET /api/config. Nothing here is hard-coded to a
 * host or port; the page connects back to wherever it was loaded from.
 */
import type { Config } from "../config/schema.ts";
import { type ClientConfig, MAX_MESSAGE_LENGTH, PEER_KEY } from "../protocol/index.ts";

/** `rules`: the house rules' text (src/safety/house-rules.ts reads them). */
export function clientConfig(
  { path, iceServers, preferences, minAge, nextBurst, nextPerMinute }: Pick<
    Config,
    "path" | "iceServers" | "preferences" | "minAge" | "nextBurst" | "nextPerMinute"
  >,
  rules = "",
): ClientConfig {
  return {
    path: `${path}/`,
    key: PEER_KEY,
    iceServers,
    maxMessageLength: MAX_MESSAGE_LENGTH,
    preferences,
    minAge,
    rules,
    nextLimit: { burst: nextBurst, perMinute: nextPerMinute },
  };
}
