/**
 * The JSON API under /api, behind the country gate: identity (through the
 * safety admission: bans, limits, challenge), client config and stats.
 * /healthz stays outside the gate for health checks.
 */
import express from "express";
import type { GeoGate } from "../geo/gate.ts";
import type { MatchStats } from "../matchmaker/store.ts";
import { Refusal } from "../refusal.ts";
import type { ClientConfig } from "../protocol/index.ts";
import type { Admission } from "../safety/admission.ts";

/** Largest request body on /api: 413 past it. */
export const MAX_BODY_BYTES = 4096;

export interface ApiDeps {
  readonly geoGate: GeoGate;
  /** Issues identities (with this visitor's TURN credentials, when there is TURN) past bans, limits and challenges. */
  readonly admission: Admission;
  readonly clientConfig: ClientConfig;
  readonly stats: () => Promise<MatchStats>;
}

/** Express middleware form of the country gate, for /api and PeerServer's routes. */
export function gateMiddleware(geoGate: GeoGate): express.RequestHandler {
  return (req, _res, next) => {
    geoGate(req);
    next();
  };
}

/**
 * @example
 * app.use("/api", createApi({ geoGate, admission, clientConfig, stats }));
 */
export function createApi({ geoGate, admission, clientConfig, stats }: ApiDeps): express.Router {
  const api = express.Router();
  api.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });
  api.use(gateMiddleware(geoGate));
  // Whatever is sent is read (and refused past this) by the library; only /identity looks at it (a challenge answer).
  api.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  api.post("/identity", async (req, res) => {
    res.status(201).json(await admission.identity(req, Buffer.isBuffer(req.body) ? req.body : null));
  });
  api.get("/config", (_req, res) => {
    res.json(clientConfig);
  });
  api.get("/stats", async (_req, res) => {
    res.json(await stats());
  });
  api.use(() => {
    throw new Refusal("not_found");
  });
  return api;
}
