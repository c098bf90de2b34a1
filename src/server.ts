/**
 * The one place that wires the parts: country gate, identities and their
 * TURN credentials, safety (bans, limits, challenges), PeerServer behind our
 * upgrade gate, matchmaker (in memory, or shared through Redis), page, HTTP
 * routes, the moderator API, metrics and TLS.
 *
 * `createServer` checks and compiles the config and does no I/O: no files
 * read, no timers, nothing bound. `listen` loads what the config needs (the
 * country tables, the house rules, the page bundle, the certificate), builds
 * the signaling server and the app, and binds. Until then `server.app` does
 * not exist, and says so, and every request is answered 503 `not_ready`.
 */
import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type express from "express";
import { createClientAddress } from "./client-ip.ts";
import { ConfigError } from "./config/load.ts";
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
import { certificateNotice, loadTls, TlsError } from "./http/tls.ts";
import { createIdentities } from "./identity.ts";
import { createLogger, type Logger } from "./log.ts";
import { DEFAULT_MATCH_OPTIONS } from "./matchmaker/core.ts";
import { createMemoryStore, type MatchStore } from "./matchmaker/store.ts";
import { createMetricsServer } from "./metrics/listener.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import type { Identity } from "./protocol/index.ts";
import { Refusal } from "./refusal.ts";
import { loadHouseRules } from "./safety/house-rules.ts";
import { createSafety, safetyPolicy } from "./safety/safety.ts";
import type { SafetyStore } from "./safety/store.ts";
import { createSignaling, type Signaling } from "./signaling/signaling.ts";
import { createTurnCredentials } from "./turn/credentials.ts";

export { HTTP_LIMITS } from "./http/http-server.ts";

export interface ChatrouletteServer {
  /** The Express app; built by listen(), so reading it before throws. */
  readonly app: express.Express;
  readonly httpServer: Server;
  /** What the server counts; served at `metricsUrl` when `--metrics-port` is set. */
  readonly metrics: Metrics;
  /**
   * Loads, builds and binds `config.port` (0: a free one), and the metrics
   * listener when configured; resolves with the real addresses.
   */
  listen(): Promise<{ port: number; url: string; metricsUrl?: string }>;
  /**
   * Reads `--tls-cert` and `--tls-key` again and serves them to new
   * connections; open connections keep theirs. A file that cannot be used
   * is logged and the old certificate kept. Resolves true when reloaded.
   */
  reloadTls(): Promise<boolean>;
  /** Stops admitting (/readyz answers 503), closes every socket, then the listeners. */
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
  let closing = false;
  /** As /readyz answers: false until listen() has built what it checks. */
  let admitting = () => false;
  const metrics = createMetrics({
    // The same figures as /api/stats; before listen() builds the store (--redis), nobody is here yet.
    stats: async () => store ? await store.stats() : { online: 0, waiting: 0, processes: 1, process: { online: 0, waiting: 0 } },
    online: () => signaling?.online() ?? 0,
    ready: () => admitting(),
    log,
  });
  const toClient = clientConfig(config);
  const turn = config.turnUrl.length === 0 ? null : createTurnCredentials({
    urls: config.turnUrl,
    secret: config.turnSecret,
    ttlSeconds: config.turnTtl,
    staticServers: toClient.iceServers,
    now: deps.now,
  });
  const issueIdentity = (): Identity => {
    const identity = identities.issue();
    metrics.identityIssued();
    if (!turn) return identity;
    metrics.turnCredentialsIssued();
    return { ...identity, ...turn.issue(identity.id) };
  };
  const handler: RequestListener = (req, res) => {
    if (app) return app(req, res);
    const refusal = new Refusal("not_ready");
    metrics.refused(refusal.code);
    res.writeHead(refusal.status, { "Content-Type": "application/json; charset=utf-8" }).end(refusal.body());
  };
  // The same server either way; the HTTPS one also takes certificates (listen, reloadTls).
  const httpsServer = config.tlsCert !== "" ? createLimitedServer(handler, { tls: true }) : null;
  const httpServer: Server = httpsServer ?? createLimitedServer(handler);
  const metricsServer = config.metricsPort === null ? null : createMetricsServer(metrics.registry, log);

  return {
    get app() {
      if (!app) throw new Error("server.app is built by listen(): call listen() first");
      return app;
    },
    httpServer,
    metrics,
    async listen() {
      if (httpsServer) {
        const material = await loadTls(config).catch((error) => {
          // Unusable files at start are a configuration error (exit 2), like a bad flag.
          throw error instanceof TlsError ? new ConfigError(error.message) : error;
        });
        // The HTTPS server has no certificate until this.
        httpsServer.setSecureContext({ cert: material.cert, key: material.key });
        const notice = certificateNotice(material, Date.now());
        log[notice.level](`TLS certificate ${notice.text}`);
      }
      if (!store && redis !== null) store = (await import("./matchmaker/redis/store.ts")).createRedisStore({ url: redis, log, options });
      if (!store) throw new Error("no matchmaking store"); // unreachable: one of the two above
      const matchStore = store;
      safetyStore ??= redis === null ? undefined : (await import("./safety/redis-store.ts")).createRedisSafetyStore({
        url: redis,
        log,
        policy: safetyPolicy(config),
      });
      const safety = createSafety({ config, clientAddress, issueIdentity, store: safetyStore, secret: config.secret, now });
      const rules = config.minAge > 0 ? await loadHouseRules(config.rules, config.minAge) : "";
      const lookupCountry = deps.lookupCountry ?? (policy.admitsEveryone ? undefined : await loadCountryLookup());
      const geoGate = createGeoGate({ clientAddress, lookupCountry, policy });
      const capacity = maxClients(config, log);
      const live = createSignaling({
        httpServer,
        path: config.path,
        maxClients: capacity,
        allowOrigin: config.allowOrigin,
        geoGate,
        identities,
        store,
        safety: {
          store: safety.store,
          keyOf: safety.keyOf,
          maxPerAddress: config.maxPerAddress,
          nextLimit: { burst: config.nextBurst, perMinute: config.nextPerMinute },
        },
        preferences: config.preferences,
        metrics,
        now,
        log,
      });
      signaling = live;
      const page = createPage({ ...toClient, rules }, config.allowOrigin);
      const stats = () => matchStore.stats();
      // Not admitting visitors while a shared store cannot be reached, either: the
      // safety store's link reconnects on its own, and identities wait for it.
      const notReady = () =>
        closing
          ? "shutting_down" as const
          : !matchStore.ready() || safety.store.ready?.() === false
          ? "unavailable" as const
          : live.online() >= capacity
          ? "server_full" as const
          : null;
      admitting = () => notReady() === null;
      const admin = config.adminToken === "" ? undefined : createAdminApi({ token: config.adminToken, ...safety, signaling: live, now, log });
      const built = createApp({
        config,
        geoGate,
        admission: safety.admission,
        admin,
        clientConfig: { ...toClient, rules },
        signaling: live,
        stats,
        page,
        log,
        notReady,
        refused: metrics.refused,
      });
      const listening = [page.build(), matchStore.open(), safety.store.open?.(), bind(httpServer, config, log)];
      if (metricsServer) {
        metrics.collectProcessMetrics();
        listening.push(bind(metricsServer, { port: config.metricsPort ?? 0, host: config.metricsHost }, log, "--metrics-port"));
      }
      await Promise.all(listening);
      app = built;
      const { port } = httpServer.address() as AddressInfo;
      const url = `${httpsServer ? "https" : "http"}://${displayHost(config.host)}:${port}/`;
      if (!metricsServer) return { port, url };
      const metricsPort = (metricsServer.address() as AddressInfo).port;
      return { port, url, metricsUrl: `http://${displayHost(config.metricsHost)}:${metricsPort}/metrics` };
    },
    async reloadTls() {
      if (!httpsServer) {
        log.info("nothing to reload: no --tls-cert");
        return false;
      }
      try {
        const material = await loadTls(config);
        httpsServer.setSecureContext({ cert: material.cert, key: material.key });
        const notice = certificateNotice(material, Date.now());
        log[notice.level](`reloaded the TLS certificate ${notice.text}`);
        return true;
      } catch (error) {
        log.error(`TLS reload failed, keeping the old certificate: ${(error as Error).message}`);
        return false;
      }
    },
    async close() {
      // Not ready from now on, while sockets close: a load balancer polling /readyz moves new visitors elsewhere.
      closing = true;
      await signaling?.close();
      await store?.close();
      await safetyStore?.close?.();
      await Promise.all([httpServer, metricsServer].map((server) => {
        if (!server?.listening) return;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        return closed;
      }));
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
