/**
 * The one place that wires the parts: Express app, country gate, identities,
 * PeerServer behind our upgrade gate, matchmaker and page.
 * `createServer` does no I/O; `listen` loads what it needs and binds.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import express from "express";
import { createClientAddress } from "./client-ip.ts";
import { type Config, DEFAULTS } from "./config/schema.ts";
import { createGeoGate } from "./geo/gate.ts";
import { loadCountryLookup, type LookupCountry } from "./geo/lookup.ts";
import { createCountryPolicy } from "./geo/policy.ts";
import { createApi, gateMiddleware } from "./http/api.ts";
import { clientConfig } from "./http/client-config.ts";
import { errorHandler } from "./http/error-handler.ts";
import { corsFor, securityHeaders } from "./http/headers.ts";
import { createPage } from "./http/page.ts";
import { Refusal } from "./refusal.ts";
import { clientCapacity, openFileLimit } from "./fd-limit.ts";
import { createIdentities } from "./identity.ts";
import { createLogger, type Logger } from "./log.ts";
import { createMemoryStore, type MatchStore } from "./matchmaker/store.ts";
import { createSignaling } from "./signaling/signaling.ts";

/** Connection-level limits for plain HTTP; docs/PROTOCOL.md §1 states them. */
export const HTTP_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 20_000,
} as const;

export interface ChatrouletteServer {
  readonly app: express.Express;
  readonly httpServer: Server;
  /** Binds `config.port` (0: a free one) and resolves with the real address. */
  listen(): Promise<{ port: number; url: string }>;
  /** Stops accepting, closes every socket and the HTTP server. */
  close(): Promise<void>;
}

export interface ServerDeps {
  readonly log?: Logger;
  /** Defaults to geoip-lite's country tables, loaded by listen() when the policy needs them. */
  readonly lookupCountry?: LookupCountry;
  readonly store?: MatchStore;
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
  const store = deps.store ?? createMemoryStore();
  const policy = createCountryPolicy(config);
  let lookupCountry = deps.lookupCountry;
  const geoGate = createGeoGate({
    clientAddress: createClientAddress(config.trustProxy),
    lookupCountry: (ip) => lookupCountry!(ip),
    policy,
  });
  const identities = createIdentities();

  const app = express();
  app.disable("x-powered-by");
  const httpServer = createHttpServer({
    // Requests here are tiny: Node's defaults let a slow client hold a
    // connection 60–90 s before sending its headers, and 300 s for a request.
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    // How often those are checked (default 30 s, which they would wait on top).
    connectionsCheckingInterval: 1_000,
  }, app);
  httpServer.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  // Any HTTP connection quiet this long is cut, whatever state it is in (a
  // pipelined half-request escapes the two timeouts above: measured). ws turns
  // this off for the sockets it upgrades.
  httpServer.timeout = HTTP_LIMITS.idleTimeoutMs;
  httpServer.on("timeout", (socket: Socket) => socket.destroy());

  const capacity = clientCapacity(openFileLimit());
  const maxClients = Math.min(config.maxClients, capacity);
  const signaling = createSignaling({
    httpServer,
    path: config.path,
    maxClients,
    allowOrigin: config.allowOrigin,
    geoGate,
    identities,
    store,
    now: deps.now,
    log,
  });
  const toClient = clientConfig(config);
  const page = createPage(toClient, config.allowOrigin);

  app.use(securityHeaders(config.allowOrigin));
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.use("/api", corsFor(config.allowOrigin), createApi({
    geoGate,
    identities,
    clientConfig: toClient,
    stats: async () => ({ online: signaling.online(), waiting: await store.waiting() }),
  }));
  app.use(config.path, gateMiddleware(geoGate), signaling.app);
  app.use(page.router);
  app.use(() => {
    throw new Refusal("not_found");
  });
  app.use(errorHandler(log));

  return {
    app,
    httpServer,
    async listen() {
      if (maxClients < config.maxClients) {
        // Only news when the operator asked for more; with the default it is the usual case.
        const say = config.maxClients === DEFAULTS.maxClients ? log.info : log.warn;
        say(`holding at most ${maxClients} clients, not ${config.maxClients}: the open-file limit is too low (raise ulimit -n for more)`);
      }
      if (!policy.admitsEveryone && !lookupCountry) lookupCountry = await loadCountryLookup();
      await Promise.all([page.build(), bind(httpServer, config, log)]);
      const { port } = httpServer.address() as AddressInfo;
      return { port, url: `http://${displayHost(config.host)}:${port}/` };
    },
    async close() {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await signaling.close();
      httpServer.closeAllConnections();
      await closed;
    },
  };
}

function bind(httpServer: Server, { port, host }: Pick<Config, "port" | "host">, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "address already in use; choose another --port" : error.message;
      reject(new Error(`Cannot listen on ${host}:${port}: ${why}`));
    };
    httpServer.once("error", onError);
    httpServer.listen(port, host, () => {
      httpServer.off("error", onError);
      // Accept errors (EMFILE when out of file descriptors) must not crash the server.
      httpServer.on("error", (error) => log.warn(`http server: ${error.message}`));
      resolve();
    });
  });
}

/** A wildcard bind is reachable at localhost; IPv6 literals need brackets. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}
