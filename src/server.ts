/**
 * The one place that wires the parts: country gate, identities, safety
 * (bans, limits, challenges), PeerServer behind our upgrade gate,
 * matchmaker (in memory, or shared through Redis), page, HTTP routes and
 * the moderator API.
 *
 * `createServer` checks and compiles the config and does no I/O: no files
 * read, no timers, nothing bound. `listen` loads what the config needs (the
 * country tables, the house rules, the page bundle), builds the signaling
 * server and the app, and binds. Until then `server.app` does not exist, and says so.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type express from "express";
import { createClientAddress } from "./client-ip.ts";
import { type Config, DEFAULTS } from "./config/schema.ts";
import { clientCapacity, openFileLimit } from "./fd-limit.ts";
import { createGeoGate } from "./geo/gate.ts";
import { loadCountryLookup, type LookupCountry } from "./geo/lookup.ts";
import { createCountryPolicy } from "./geo/policy.ts";
import { createAdminApi } from "./http/admin.ts";
import { createApp } from "./http/app.ts";
import { clientConfig } from "./http/client-config.ts";
import { bind, createLimitedServer, displayHost } from "./http/http-server.ts";
import { createPage } from "./http/page.ts";
import { createIdentities } from "./identity.ts";
import { createLogger, type Logger } from "./log.ts";
import { DEFAULT_MATCH_OPTIONS } from "./matchmaker/core.ts";
import { createMemoryStore, type MatchStore } from "./matchmaker/store.ts";
import { Refusal } from "./refusal.ts";
import { loadHouseRules } from "./safety/house-rules.ts";
import { createSafety, safetyPolicy } from "./safety/safety.ts";
import type { SafetyStore } from "./safety/store.ts";
import { createSignaling, type Signaling } from "./signaling/signaling.ts";

export { HTTP_LIMITS } from "./http/http-server.ts";

export interface ChatrouletteServer {
  /** The Express app; built by listen(), so reading it before throws. */
  readonly app: express.Express;
  readonly httpServer: Server;
  /** Loads, builds and binds `config.port` (0: a free one); resolves with the real address. */
  listen(): Promise<{ port: number; url: string }>;
  /** Stops accepting, closes every socket and the HTTP server. */
  close(): Promise<void>;
}

export interface ServerDeps {
  readonly log?: Logger;
  /** Defaults to geoip-lite's country tables, opened by listen() when the policy needs them. */
  readonly lookupCountry?: LookupCountry;
  readonly store?: MatchStore;
  /** Reports, bans and limits; defaults to the in-memory store. */
  readonly safetyStore?: SafetyStore;
  readonly now?: () => number;
}

/**
 * @example
 * const server = createServer(config);
 * const { url } = await server.listen(); // "http://127.0.0.1:41234/"
 * await server.close();
 */
export function createServer(config: Config, deps: ServerDeps = {}): ChatrouletteServer {
  const log = deps.log ?? createLogger(config.logLevel);
  // With --redis, the store is built in listen(): node-redis takes ~0.5 s to load (measured), which only its users should pay.
  const redis = config.redis;
  const options = { ...DEFAULT_MATCH_OPTIONS, interestWaitMs: config.interestWait * 1000 };
  let store = deps.store ?? (redis === null ? createMemoryStore(options) : undefined);
  let safetyStore = deps.safetyStore;
  // Compiled now, so a bad rule fails here rather than on a request.
  const policy = createCountryPolicy(config);
  const clientAddress = createClientAddress(config.trustProxy);
  const identities = createIdentities(config.secret ?? undefined);
  const now = deps.now ?? Date.now;
  let app: express.Express | undefined;
  let signaling: Signaling | undefined;
  const httpServer = createLimitedServer((req, res) => {
    if (app) return app(req, res);
    const refusal = new Refusal("not_ready");
    res.writeHead(refusal.status, { "Content-Type": "application/json; charset=utf-8" }).end(refusal.body());
  });

  return {
    get app() {
      if (!app) throw new Error("server.app is built by listen(): call listen() first");
      return app;
    },
    httpServer,
    async listen() {
      if (!store && redis !== null) store = (await import("./matchmaker/redis/store.ts")).createRedisStore({ url: redis, log, options });
      if (!store) throw new Error("no matchmaking store"); // unreachable: one of the two above
      safetyStore ??= redis === null ? undefined : (await import("./safety/redis-store.ts")).createRedisSafetyStore({
        url: redis,
        log,
        policy: safetyPolicy(config),
      });
      const safety = createSafety({ config, clientAddress, identities, store: safetyStore, secret: config.secret, now });
      const rules = config.minAge > 0 ? await loadHouseRules(config.rules, config.minAge) : "";
      const lookupCountry = deps.lookupCountry ?? (policy.admitsEveryone ? undefined : await loadCountryLookup());
      const geoGate = createGeoGate({ clientAddress, lookupCountry, policy });
      signaling = createSignaling({
        httpServer,
        path: config.path,
        maxClients: maxClients(config, log),
        allowOrigin: config.allowOrigin,
        geoGate,
        identities,
        store,
        preferences: config.preferences,
        safety: {
          store: safety.store,
          keyOf: safety.keyOf,
          maxPerAddress: config.maxPerAddress,
          nextLimit: { burst: config.nextBurst, perMinute: config.nextPerMinute },
        },
        now,
        log,
      });
      const toClient = clientConfig(config, rules);
      const page = createPage(toClient, config.allowOrigin);
      const admin = config.adminToken === "" ? undefined : createAdminApi({ token: config.adminToken, ...safety, signaling, now, log });
      const built = createApp({ config, geoGate, admission: safety.admission, admin, clientConfig: toClient, signaling, store, page, log });
      await Promise.all([page.build(), store.open(), safety.store.open?.(), bind(httpServer, config, log)]);
      app = built;
      const { port } = httpServer.address() as AddressInfo;
      return { port, url: `http://${displayHost(config.host)}:${port}/` };
    },
    async close() {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await signaling?.close();
      await store?.close();
      await safetyStore?.close?.();
      httpServer.closeAllConnections();
      if (httpServer.listening) await closed;
    },
  };
}

/** --max-clients, kept below the open-file limit (each client holds a descriptor). */
function maxClients(config: Config, log: Logger): number {
  const capacity = Math.min(config.maxClients, clientCapacity(openFileLimit()));
  if (capacity < config.maxClients) {
    // Only news when the operator asked for more; with the default it is the usual case.
    const say = config.maxClients === DEFAULTS.maxClients ? log.info : log.warn;
    say(`holding at most ${capacity} clients, not ${config.maxClients}: the open-file limit is too low (raise ulimit -n for more)`);
  }
  return capacity;
}
