/**
 * What the page (and any scripted client) needs to know to connect: served
 * inline in the page and at GET /api/config. Nothing here is hard-coded to a
 * host or port; the page connects back to wherever it was loaded from.
 */
import type { Config, IceServer } from "../config/schema.ts";
import { PEER_KEY } from "../signaling/peer-server.ts";

export interface ClientConfig {
  /** peerjs `path` option: the signaling mount with a trailing slash. */
  readonly path: string;
  /** peerjs `key` option. */
  readonly key: string;
  readonly iceServers: readonly IceServer[];
  /** Longest chat message, in characters. */
  readonly maxMessageLength: number;
}

export const MAX_MESSAGE_LENGTH = 1000;

export function clientConfig({ path, iceServers }: Pick<Config, "path" | "iceServers">): ClientConfig {
  return { path: `${path}/`, key: PEER_KEY, iceServers, maxMessageLength: MAX_MESSAGE_LENGTH };
}
