/**
 * The Express app: which route answers what, in order. Every part comes in
 * built; this only puts them together.
 */
import express from "express";
import type { Config } from "../config/schema.ts";
import type { GeoGate } from "../geo/gate.ts";
import type { Logger } from "../log.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import type { ClientConfig } from "../protocol/index.ts";
import { Refusal } from "../refusal.ts";
import type { Admission } from "../safety/admission.ts";
import type { Signaling } from "../signaling/signaling.ts";
import { createApi, gateMiddleware } from "./api.ts";
import { errorHandler } from "./error-handler.ts";
import { corsFor, securityHeaders } from "./headers.ts";
import type { Page } from "./page.ts";

export interface AppParts {
  readonly config: Pick<Config, "path" | "allowOrigin">;
  readonly geoGate: GeoGate;
  readonly admission: Admission;
  /** The moderator API (--admin-token), when on. */
  readonly admin?: express.Router;
  readonly clientConfig: ClientConfig;
  readonly signaling: Signaling;
  readonly store: Pick<MatchStore, "stats" | "ready">;
  readonly page: Page;
  readonly log: Logger;
}

/**
 * @example
 * const app = createApp({ config, geoGate, admission, admin, clientConfig, signaling, store, page, log });
 */
export function createApp({ config, geoGate, admission, admin, clientConfig, signaling, store, page, log }: AppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders(config.allowOrigin));
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  // Admitting visitors: not while the shared store cannot be reached.
  app.get("/readyz", (_req, res) => {
    if (!store.ready()) throw new Refusal("unavailable");
    res.type("text/plain").send("ready");
  });
  const stats = () => store.stats();
  // Moderators are not visitors: no country gate, no CORS.
  if (admin) app.use("/api/admin", admin);
  app.use("/api", corsFor(config.allowOrigin), createApi({ geoGate, admission, clientConfig, stats }));
  // Mounting PeerServer's app starts it (its timers included).
  app.use(config.path, gateMiddleware(geoGate), signaling.app);
  app.use(page.router);
  app.use(() => {
    throw new Refusal("not_found");
  });
  app.use(errorHandler(log));
  return app;
}
