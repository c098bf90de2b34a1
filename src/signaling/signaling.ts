/**
 * The signaling gate: owns the HTTP server's `upgrade` event, so every
 * WebSocket passes the same checks (path, query, origin, capacity, country,
 * identity, sockets per address, bans) before the WebSocket handshake, and
 * keeps one Session per admitted socket: it relays between them, keeps time
 * for them, and closes those of an address when it is banned. It is the store's
 * sink: events and frames for this process's visitors come in through it,
 * from this process or (with Redis) any other.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { bannedRefusal, Refusal } from "../refusal.ts";
import type { GeoGate } from "../geo/gate.ts";
import type { Identities } from "../identity.ts";
import type { Logger } from "../log.ts";
import { current } from "../matchmaker/core.ts";
import type { MatchSink, MatchStore } from "../matchmaker/store.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { PEER_KEY, type Rate, type RelayType } from "../protocol/index.ts";
import type { Ban, SafetyStore } from "../safety/store.ts";
import { createPeerServer, type GatedSocket } from "./peer-server.ts";
import { CLOSE } from "./limits.ts";
import { createSerial } from "./serial.ts";
import type { Registered } from "./session-deps.ts";
import { KeptConducts } from "./kept-conducts.ts";
import { Session } from "./session.ts";
import { createOriginCheck, refuse, singleValues } from "./upgrade-http.ts";

/** What the gate and the sessions need of src/safety. */
export interface SignalingSafety {
  readonly store: SafetyStore;
  /** The request's address key (trusted-proxy rules, then the HMAC). */
  readonly keyOf: (req: IncomingMessage) => string;
  /** Sockets one address may hold; 0: no limit. */
  readonly maxPerAddress: number;
  readonly nextLimit: Rate;
}

/** How often sessions are asked whether their sockets are alive (see Session#tick). */
const TICK_MS = 1000;
/** On close, how long the sockets' last commands may take to reach the store. */
const CLOSE_DRAIN_MS = 2000;

export interface Signaling {
  /** Express app to mount at `path` (PeerServer's HTTP routes). */
  readonly app: ReturnType<typeof createPeerServer>["app"];
  /** Visitors with an open signaling socket. */
  online(): number;
  /** The address key of a connected visitor, if connected here. */
  addressOf(id: string): string | undefined;
  /** `ban.key` was banned: close its sockets (their partners are told). */
  banned(ban: Ban): void;
  /** Refuse new sockets (503 shutting_down), close every socket (1001), wait until they are gone and have left matchmaking. */
  close(): Promise<void>;
}

/** What signaling counts: matchmaking events, refused upgrades, rejected frames, waits. */
export type SignalingMetrics = Pick<Metrics, "matched" | "partnerLeft" | "refused" | "rejectedFrame" | "waited">;

/**
 * @example
 * const signaling = createSignaling({ httpServer, path: "/signaling", maxClients, geoGate, identities, store, safety, log });
 * app.use("/signaling", signaling.app);
 */
export function createSignaling(
  { httpServer, path, maxClients, allowOrigin, geoGate, identities, store, safety, metrics, preferences = false, now = Date.now, log }: {
    httpServer: Server;
    path: string;
    maxClients: number;
    /** --preferences: FIND's gender filters apply (else they are dropped). */
    preferences?: boolean;
    /** Origins besides the page's own whose pages may open sockets. */
    allowOrigin: readonly string[];
    geoGate: GeoGate;
    identities: Identities;
    store: MatchStore;
    safety: SignalingSafety;
    metrics: SignalingMetrics;
    now?: () => number;
    log: Logger;
  },
): Signaling {
  const peer = createPeerServer({ httpServer, log });
  const socketPath = `${path}/peerjs`;
  const sessions = new Map<string, Session>();
  /** Admitted upgrades still waiting for the store (ban check): their ids, and sockets per address, count. */
  const pending = new Set<string>();
  const perAddress = new Map<string, number>();
  const serial = createSerial();
  const sink: MatchSink = {
    deliver(events) {
      for (const event of current(events)) {
        // Each pair is told twice (once per side, on the process holding it): counted once.
        if (event.type === "matched" && event.role === "caller") metrics.matched(event.pool);
        else if (event.type === "partner-left") metrics.partnerLeft(event.reason);
        sessions.get(event.to)?.receive(event);
      }
    },
    relayed: (from, to, type, text) => sessions.get(to)?.relayed(from, type, text),
    resync() {
      log.info(`resyncing ${sessions.size} visitor(s) with the store`);
      for (const session of sessions.values()) session.resync();
    },
    online: () => sessions.size,
    moved: (id) => sessions.get(id)?.moved(),
    resumed: (id, found) => sessions.get(id)?.resumed(found),
  };
  store.attach(sink);
  const release = (address: string) => {
    const n = (perAddress.get(address) ?? 1) - 1;
    if (n > 0) perAddress.set(address, n);
    else perAddress.delete(address);
  };
  const forget = (session: Registered) => {
    // Every socket held one of its address's places, a replaced one too.
    release(session.address);
    if (sessions.get(session.id) === session) sessions.delete(session.id);
  };
  const banned = (ban: Ban) => {
    for (const session of sessions.values()) {
      if (session.address === ban.key) session.end(CLOSE.banned, `banned until ${new Date(ban.until).toISOString()}`);
    }
  };
  // A partner on another process: the store knows its address (from the match).
  const addressOf = (id: string) => sessions.get(id)?.address ?? store.addressOf?.(id);
  const sessionSafety = { store: safety.store, nextLimit: safety.nextLimit, addressOf, banned };
  // Partners on this process are reached at once; others through the store, which checks the pair again.
  const relay = (from: string, to: string, type: RelayType, text: string) => {
    const local = sessions.get(to);
    if (local) local.relayed(from, type, text);
    else store.relay(from, to, type, text);
  };
  const deps = { store, serial, forget, relay, now, log, metrics, preferences, safety: sessionSafety, kept: new KeptConducts() };
  const originAllowed = createOriginCheck(allowOrigin);
  let ticking: ReturnType<typeof setInterval> | undefined;
  let matching = false;
  let closing = false;
  // Visitors are told the whole pool's count: with --redis, every process's (as of the last beat).
  let online = 0;
  const count = () => Math.max(online, sessions.size);
  const tick = () => {
    const at = now();
    for (const session of sessions.values()) session.tick(at);
    store.stats().then((stats) => {
      online = stats.online;
      for (const session of sessions.values()) session.tellOnline(count(), at);
    }, () => {});
    // Visitors whose wait for a shared interest is over (the store delivers the events);
    // one tick at a time, however slow the store. With Redis every process ticks: the script is atomic.
    if (matching || !store.ready()) return;
    matching = true;
    store.tick(at).catch((error) => log.warn(`matchmaker tick failed: ${(error as Error).message ?? error}`))
      .finally(() => matching = false);
  };

  /**
   * Throws the Refusal that answers this upgrade, or returns the admitted id
   * and address key, holding a place for them (id and one of the address's
   * sockets) until the upgrade completes or is refused.
   */
  function admit(req: IncomingMessage): { id: string; address: string } {
    const url = new URL(req.url ?? "/", "http://upgrade");
    if (url.pathname !== socketPath) throw new Refusal("not_found");
    const query = singleValues(url.searchParams);
    if (!originAllowed(req)) throw new Refusal("origin_not_allowed");
    if (closing) throw new Refusal("shutting_down");
    const { id = "", token = "", key } = query;
    // A visitor coming back (same id) replaces its own socket: no new place is taken.
    if (sessions.size + pending.size >= maxClients && !sessions.has(id)) throw new Refusal("server_full");
    if (!store.ready()) throw new Refusal("unavailable");
    geoGate(req);
    if (key !== PEER_KEY || !identities.verify(id, token)) throw new Refusal("invalid_identity");
    // Two upgrades of one id at once: the second is refused (a socket already open is taken over below).
    if (pending.has(id)) throw new Refusal("id_taken");
    const address = safety.keyOf(req);
    const held = perAddress.get(address) ?? 0;
    const returning = sessions.get(id)?.address === address;
    if (safety.maxPerAddress > 0 && held >= safety.maxPerAddress && !returning) {
      safety.store.flag(address, now()).catch(() => {}); // a hint for --challenge auto; losing it is harmless
      throw new Refusal("too_many_connections");
    }
    perAddress.set(address, held + 1);
    // A copy, not a slice of the URL string, which would stay alive with it.
    const admitted = Buffer.from(id).toString();
    pending.add(admitted);
    return { id: admitted, address };
  }

  const onSocketError = (error: Error) => log.debug(`upgrade socket error: ${error.message}`);

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let admitted: { id: string; address: string } | undefined;
    try {
      admitted = admit(req);
      const ban = await safety.store.banOf(admitted.address, now());
      if (ban) throw bannedRefusal(ban.until);
    } catch (error) {
      if (admitted) {
        pending.delete(admitted.id);
        release(admitted.address);
      }
      const refusal = error instanceof Refusal ? error : new Refusal(isUnavailable(error) ? "unavailable" : "internal");
      if (refusal.code === "internal") log.error(`upgrade failed: ${(error as Error).stack ?? error}`);
      else log.debug(`refused upgrade: ${refusal.code}`);
      metrics.refused(refusal.code);
      return refuse(socket, refusal);
    }
    const { id, address } = admitted;
    pending.delete(id);
    // The client may have gone while the store answered.
    if (socket.destroyed) return release(address);
    let upgraded = false;
    peer.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      // ws listens for the socket's errors from now on; a second listener would cost an array per socket.
      socket.off("error", onSocketError);
      // The same visitor's earlier socket, not closed yet (a page back from a network change): this one takes over.
      const earlier = sessions.get(id);
      const session = new Session(id, ws, deps, address, earlier);
      sessions.set(id, session);
      (ws as GatedSocket).owner = session;
      session.greet();
      // With --redis, the page may be back from a network change on another process;
      // and after a local takeover, the store must know this process holds it still.
      if (store.claim) session.claim();
      session.tellOnline(count(), now());
      ticking ??= setInterval(tick, TICK_MS);
      ticking.unref?.();
    });
    // ws answers a malformed handshake (no Sec-WebSocket-Key, …) with 400 itself,
    // without calling back, and decides before handleUpgrade returns (we give it no
    // async verifyClient): the address's place must not leak with it. Not a close
    // listener: its closure kept the upgrade request (URL, headers) alive with the
    // socket, 1.5 KB per socket in a heap snapshot.
    if (!upgraded) release(address);
  }

  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", onSocketError);
    void upgrade(req, socket, head);
  });

  return {
    app: peer.app,
    online: () => sessions.size,
    addressOf,
    banned,
    async close() {
      closing = true;
      clearInterval(ticking);
      const closed = [...sessions.values()].map((session) => {
        const ws = session.socket as GatedSocket;
        return new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          ws.once("close", () => resolve());
          // A peer that does not answer is cut off after the session's grace.
          session.end(CLOSE.goingAway, "server shutting down");
        });
      });
      await Promise.all(closed);
      // Their disconnects reach the store, unless it stalls (bounded).
      await Promise.race([serial.idle(), new Promise((resolve) => setTimeout(resolve, CLOSE_DRAIN_MS).unref?.())]);
    },
  };
}

/** The shared store (Redis) cannot be reached: the visitor is told to retry, not that the server failed. */
function isUnavailable(error: unknown): boolean {
  return error instanceof Error && error.name === "StoreUnavailable";
}
