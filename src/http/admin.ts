/**
 * The moderator API under /api/admin, on only with --admin-token: reports
 * and bans to read, bans to impose and lift. Every request needs
 * `Authorization: Bearer <token>` (compared in constant time) and is logged
 * with the caller's address key, never the address.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import express from "express";
import { duration, Expected } from "../config/parsers.ts";
import type { Logger } from "../log.ts";
import { isName } from "../protocol/index.ts";
import { Refusal } from "../refusal.ts";
import { MAX_BAN_MS } from "../safety/rules.ts";
import type { Ban, Report, SafetyStore } from "../safety/store.ts";

export const MAX_NOTE_LENGTH = 500;
const KEY = /^[0-9a-f]{32}$/;

export interface AdminDeps {
  readonly token: string;
  readonly store: SafetyStore;
  /** The caller's address key, for the log. */
  readonly keyOf: (req: IncomingMessage) => string;
  /** An address's key, for bans by address. */
  readonly addressKey: (address: string) => string;
  /** A connected visitor's address key, for bans by id; and closing a banned address's sockets. */
  readonly signaling: { addressOf(id: string): string | undefined; banned(ban: Ban): void };
  readonly now: () => number;
  readonly log: Logger;
}

/**
 * @example
 * app.use("/api/admin", createAdminApi({ token, store, keyOf, addressKey, signaling, now, log }));
 */
export function createAdminApi({ token, store, keyOf, addressKey, signaling, now, log }: AdminDeps): express.Router {
  const api = express.Router();
  const expected = digest(token);
  api.use((req, res, next) => {
    res.set("Cache-Control", "no-store");
    const given = /^Bearer (.+)$/.exec(req.get("authorization") ?? "")?.[1] ?? "";
    const who = `address ${keyOf(req).slice(0, 8)}`;
    if (!timingSafeEqual(digest(given), expected)) {
      log.warn(`admin: refused ${req.method} ${req.path} from ${who}: ${given ? "wrong" : "no"} token`);
      res.set("WWW-Authenticate", 'Bearer realm="chatroulette admin"');
      throw new Refusal("unauthorized");
    }
    log.info(`admin: ${req.method} ${req.path} by token, from ${who}`);
    next();
  });
  api.get("/reports", async (req, res) => {
    const limit = Number(req.query.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Refusal("bad_request", {}, "limit is an integer from 1 to 1000.");
    res.json({ reports: (await store.reports(now(), limit)).map(reportJson) });
  });
  api.get("/bans", async (_req, res) => {
    res.json({ bans: (await store.bans(now())).map(banJson) });
  });
  api.post("/bans", express.json({ limit: 4096, type: () => true }), async (req, res) => {
    const { key, durationMs, note } = banRequest(req.body, { addressKey, addressOf: signaling.addressOf });
    const ban = await store.ban(key, { durationMs, note }, now());
    log.warn(`admin: banned address ${key.slice(0, 8)} until ${new Date(ban.until).toISOString()}${note ? ` (${JSON.stringify(note)})` : ""}`);
    signaling.banned(ban);
    res.status(201).json({ ban: banJson(ban) });
  });
  api.delete("/bans/:key", async (req, res) => {
    const key = req.params.key;
    if (!KEY.test(key) || !await store.unban(key, now())) throw new Refusal("not_found", {}, `No ban on ${key.slice(0, 40)}.`);
    log.warn(`admin: unbanned address ${key.slice(0, 8)}`);
    res.json({ unbanned: key });
  });
  api.use(() => {
    throw new Refusal("not_found");
  });
  return api;
}

/** What to ban, for how long and why, from a POST body; 400 with the reason otherwise. */
function banRequest(
  body: unknown,
  { addressKey, addressOf }: { addressKey: (address: string) => string; addressOf: (id: string) => string | undefined },
): { key: string; durationMs: number; note: string } {
  const bad = (message: string) => new Refusal("bad_request", {}, message);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw bad('Expected a JSON object such as {"key": "…", "duration": "24h", "note": "…"}.');
  const { key, peer, address, duration: given = "24h", note = "" } = body as Record<string, unknown>;
  if ([key, peer, address].filter((v) => v !== undefined).length !== 1) throw bad("Name exactly one of key (an address key), peer (a connected visitor's id) or address (an IP).");
  let durationMs: number;
  try {
    durationMs = duration(given, 60, MAX_BAN_MS.moderator / 1000) * 1000;
  } catch (error) {
    if (!(error instanceof Expected)) throw error;
    throw bad(`duration: expected ${error.message}.`);
  }
  if (typeof note !== "string" || note.length > MAX_NOTE_LENGTH) throw bad(`note: expected text of at most ${MAX_NOTE_LENGTH} characters.`);
  if (key !== undefined) {
    if (typeof key !== "string" || !KEY.test(key)) throw bad("key: expected an address key, 32 hex digits, as GET /api/admin/reports shows.");
    return { key, durationMs, note };
  }
  if (peer !== undefined) {
    const found = isName(peer) ? addressOf(peer) : undefined;
    if (found === undefined) throw new Refusal("not_found", {}, "peer: no visitor with that id is connected here.");
    return { key: found, durationMs, note };
  }
  if (typeof address !== "string" || isIP(address) === 0) throw bad("address: expected an IPv4 or IPv6 address (it is not stored; its key is).");
  return { key: addressKey(address), durationMs, note };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

const iso = (ms: number) => new Date(ms).toISOString();

function banJson(ban: Ban) {
  return { ...ban, since: iso(ban.since), until: iso(ban.until) };
}

function reportJson(report: Report) {
  return { ...report, at: iso(report.at) };
}
