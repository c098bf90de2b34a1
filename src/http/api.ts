/**
 * The JSON API under /api, behind the country gate: identity, client
 * config and stats. /healthz stays outside the gate for health checks.
 */
import express from "express";
import type { GeoGate } from "../geo/gate.ts";
import type { Identities } from "../identity.ts";
import type { MatchStats } from "../matchmaker/store.ts";
import { Refusal } from "../refusal.ts";
import type { ClientConfig } from "../protocol/index.ts";

/** Largest request body on /api: 413 past it. */
export const MAX_BODY_BYTES = 4096;

export interface ApiDeps {
  readonly geoGate: GeoGate;
  readonly identities: Identities;
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
 * app.use("/api", createApi({ geoGate, identities, clientConfig, stats }));
 */
export function createApi({ geoGate, identities, clientConfig, stats }: ApiDeps): express.Router {
  const api = express.Router();
  api.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });
  api.use(gateMiddleware(geoGate));
  // No endpoint reads a body yet; whatever is sent is read (and refused past this) by the library, not buffered.
  api.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  api.post("/identity", (_req, res) => {
    res.status(201).json(identities.issue());
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
