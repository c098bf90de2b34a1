/**
 * The link to the operator's Redis (--redis): one connection for commands
 * and one for the subscription (a subscribed connection takes no other
 * commands), both reconnecting on their own with backoff. It says when both
 * are up, and logs an outage once, not once per retry. Shared by every store
 * that keeps its state in Redis.
 */
import { createClient, ErrorReply } from "@redis/client";
import { redactUrl } from "../config/parsers.ts";
import type { Logger } from "../log.ts";

export type RedisClient = ReturnType<typeof connectClient>;

/** Reconnect delays: 100 ms doubling to 2 s, ±25 %, so processes do not retry in step. */
export const RECONNECT = { firstMs: 100, maxMs: 2000 } as const;
/**
 * A connection that hears nothing for this long is dead (a vanished host
 * sends no reset): it is dropped and reconnected. The matchmaker beats every
 * 250 ms and its subscription hears the beat's marker; a link whose commands
 * may pause (the safety store's, between identity requests) pings every
 * KEEPALIVE_MS instead, so a live connection is never quiet. Without that, an
 * idle safety link timed out every 3 s, and identities were refused 503
 * "unavailable" for a moment each time (found by the bench's three processes).
 */
const SOCKET_TIMEOUT_MS = 3000;
const KEEPALIVE_MS = 1000;

export interface RedisLink {
  readonly client: RedisClient;
  /** Only with `subscribe` (the matchmaker's events). */
  readonly subscriber: RedisClient;
  /** The URL without its password, for messages. */
  readonly where: string;
  /** Its connections are up. */
  up(): boolean;
  /** Called whenever a connection goes up or down. */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * Connects in the background; `up()` says when its connections are ready.
 * `subscribe: false` opens the command connection alone, kept from idling by
 * a PING a second.
 * @example
 * const link = createRedisLink({ url: "redis://127.0.0.1:6379", log });
 * link.onChange(() => console.log(link.up()));
 */
export function createRedisLink({ url, log, subscribe = true }: { url: string; log: Logger; subscribe?: boolean }): RedisLink {
  const where = redactUrl(url);
  const options = {
    url,
    // A command waits for no reconnect: the stores decide how long to wait.
    disableOfflineQueue: true,
    socket: {
      socketTimeout: SOCKET_TIMEOUT_MS,
      reconnectStrategy: (retries: number) =>
        Math.min(RECONNECT.maxMs, RECONNECT.firstMs * 2 ** Math.min(retries, 10)) * (0.75 + Math.random() / 2),
    },
  };
  const client = connectClient(options);
  const subscriber = connectClient(options);
  const connections = subscribe ? [client, subscriber] : [client];
  const keepalive = subscribe ? undefined : setInterval(() => {
    if (client.isReady) client.ping().catch(() => {}); // a failure is reported by "error"
  }, KEEPALIVE_MS);
  keepalive?.unref?.();
  const listeners: Array<() => void> = [];
  let outage = false;
  let closing = false;
  const changed = () => {
    for (const listener of listeners) listener();
  };
  for (const connection of connections) {
    connection.on("error", (error: Error) => {
      if (closing) return;
      if (!outage) {
        outage = true;
        const hint = error instanceof ErrorReply ? " (check the password and database in --redis)" : "";
        log.warn(`Redis at ${where} cannot be reached: ${error.message || error.name}${hint}; retrying`);
      } else log.debug(`Redis at ${where}: ${error.message}`);
      changed();
    });
    connection.on("ready", () => {
      if (outage && connections.every((c) => c.isReady)) {
        outage = false;
        log.info(`Redis at ${where} is back`);
      }
      changed();
    });
    connection.on("end", changed);
    // The first attempt's failure is reported by "error" and retried by the strategy.
    connection.connect().catch(() => {});
  }
  return {
    client,
    subscriber,
    where,
    up: () => connections.every((c) => c.isReady),
    onChange: (listener) => void listeners.push(listener),
    async close() {
      closing = true;
      clearInterval(keepalive);
      await Promise.all(connections.map(async (connection) => {
        if (!connection.isOpen) return;
        // close() waits for replies a dead connection will never send.
        if (connection.isReady) await connection.close().catch(() => connection.destroy());
        else connection.destroy();
      }));
    },
  };
}

/** A client as we configure it (RESP2, no modules): the type every store uses. */
function connectClient(options: Parameters<typeof createClient>[0] & object) {
  return createClient({ ...options });
}
