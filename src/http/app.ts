/**
 * The Express app: which route answers what, in order. Every part comes in
 * built; this only puts them together.
 */
import express from "express";
import type { Config } from "../config/schema.ts";
import type { GeoGate } from "../geo/gate.ts";
import type { Logger } from "../log.ts";
import type { MatchStats } from "../matchmaker/store.ts";
import type { ClientConfig, RefusalCode } from "../protocol/index.ts";
import { Refusal } from "../refusal.ts";
import type { Admission } from "../safety/admission.ts";
import type { Signaling } from "../signaling/signaling.ts";
import { createApi, gateMiddleware } from "./api.ts";
import { errorHandler } from "./error-handler.ts";
import { corsFor, securityHeaders } from "./headers.ts";
import { manifestRouter } from "./manifest.ts";
import type { Page } from "./page.ts";

export interface AppParts {
  readonly config: Pick<Config, "path" | "allowOrigin">;
  readonly geoGate: GeoGate;
  readonly admission: Admission;
  /** The moderator API (--admin-token), when on. */
  readonly admin?: express.Router;
  readonly clientConfig: ClientConfig;
  readonly signaling: Signaling;
  readonly stats: () => Promise<MatchStats>;
  readonly page: Page;
  readonly log: Logger;
  /** Why the server is not admitting visitors now (shutting down, full), or null when it is: for /readyz. */
  readonly notReady: () => RefusalCode | null;
  /** Hears every refusal answered. */
  readonly refused?: (code: RefusalCode) => void;
}

/**
 * @example
 * const app = createApp({ config, geoGate, admission, clientConfig, signaling, stats, page, log, notReady });
 */
export function createApp(
  { config, geoGate, admission, admin, clientConfig, signaling, stats, page, log, notReady, refused }: AppParts,
): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders(config.allowOrigin));
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  // For load balancers: 503 while shutting down or full (and, before the app exists, while starting: see server.ts).
  app.get("/readyz", (_req, res) => {
    const why = notReady();
    if (why) throw new Refusal(why);
    res.set("Cache-Control", "no-store").type("text/plain").send("ready");
  });
  // Moderators are not visitors: no country gate, no CORS.
  if (admin) app.use("/api/admin", admin);
  app.use("/api", corsFor(config.allowOrigin), createApi({ geoGate, admission, clientConfig, stats }));
  // Mounting PeerServer's app starts it (its timers included).
  app.use(config.path, gateMiddleware(geoGate), signaling.app);
  app.use(page.router);
  app.use(manifestRouter());
  app.use(() => {
    throw new Refusal("not_found");
  });
  app.use(errorHandler(log, refused));
  return app;
}
