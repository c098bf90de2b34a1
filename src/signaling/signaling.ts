/**
 * The signaling gate: owns the HTTP server's `upgrade` event, so every
 * WebSocket passes the same checks (path, query, origin, capacity, country,
 * identity) before PeerServer's handshake, and keeps one Session per admitted
 * socket: it relays between them and keeps time for them. It is the store's
 * sink: events and frames for this process's visitors come in through it,
 * from this process or (with Redis) any other.
 */
import type { IncomingMessage, Server } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { Refusal } from "../refusal.ts";
import type { GeoGate } from "../geo/gate.ts";
import type { Identities } from "../identity.ts";
import type { Logger } from "../log.ts";
import type { MatchSink, MatchStore } from "../matchmaker/store.ts";
import { PEER_KEY, type RelayType } from "../protocol/index.ts";
import { createPeerServer, type GatedSocket } from "./peer-server.ts";
import { CLOSE } from "./limits.ts";
import { createSerial } from "./serial.ts";
import { Session } from "./session.ts";

/** How often sessions are asked whether their sockets are alive (see Session#tick). */
const TICK_MS = 1000;
/** On close, how long the sockets' last commands may take to reach the store. */
const CLOSE_DRAIN_MS = 2000;

export interface Signaling {
  /** Express app to mount at `path` (PeerServer's HTTP routes). */
  readonly app: ReturnType<typeof createPeerServer>["app"];
  /** Visitors with an open signaling socket. */
  online(): number;
  /** Close every socket (1001) and wait until they are gone and have left matchmaking. */
  close(): Promise<void>;
}

/**
 * @example
 * const signaling = createSignaling({ httpServer, path: "/signaling", maxClients, geoGate, identities, store, log });
 * app.use("/signaling", signaling.app);
 */
export function createSignaling(
  { httpServer, path, maxClients, allowOrigin, geoGate, identities, store, preferences = false, now = Date.now, log }: {
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
    now?: () => number;
    log: Logger;
  },
): Signaling {
  const peer = createPeerServer({ httpServer, log });
  const socketPath = `${path}/peerjs`;
  const sessions = new Map<string, Session>();
  const serial = createSerial();
  const sink: MatchSink = {
    deliver(events) {
      for (const event of events) sessions.get(event.to)?.receive(event);
    },
    relayed: (from, to, type, text) => sessions.get(to)?.relayed(from, type, text),
    resync() {
      log.info(`resyncing ${sessions.size} visitor(s) with the store`);
      for (const session of sessions.values()) session.resync();
    },
    online: () => sessions.size,
  };
  store.attach(sink);
  const forget = (session: Session) => {
    if (sessions.get(session.id) === session) sessions.delete(session.id);
  };
  // Partners on this process are reached at once; others through the store, which checks the pair again.
  const relay = (from: string, to: string, type: RelayType, text: string) => {
    const local = sessions.get(to);
    if (local) local.relayed(from, type, text);
    else store.relay(from, to, type, text);
  };
  const deps = { store, serial, forget, relay, now, log, preferences };
  const originAllowed = createOriginCheck(allowOrigin);
  let ticking: ReturnType<typeof setInterval> | undefined;
  let matching = false;
  const tick = () => {
    const at = now();
    const online = sessions.size;
    for (const session of sessions.values()) {
      session.tick(at);
      session.tellOnline(online, at);
    }
    // Visitors whose wait for a shared interest is over (the store delivers the events);
    // one tick at a time, however slow the store. With Redis every process ticks: the script is atomic.
    if (matching || !store.ready()) return;
    matching = true;
    store.tick(at).catch((error) => log.warn(`matchmaker tick failed: ${(error as Error).message ?? error}`))
      .finally(() => matching = false);
  };

  /** Throws the Refusal that answers this upgrade, or returns the admitted id. */
  function admit(req: IncomingMessage): string {
    const url = new URL(req.url ?? "/", "http://upgrade");
    if (url.pathname !== socketPath) throw new Refusal("not_found");
    const query = singleValues(url.searchParams);
    if (!originAllowed(req)) throw new Refusal("origin_not_allowed");
    const { id = "", token = "", key } = query;
    // A visitor coming back (same id) replaces its own socket: no new place is taken.
    if (sessions.size >= maxClients && !sessions.has(id)) throw new Refusal("server_full");
    if (!store.ready()) throw new Refusal("unavailable");
    geoGate(req);
    if (key !== PEER_KEY || !identities.verify(id, token)) throw new Refusal("invalid_identity");
    // PeerServer reads the query again, its own way (the last repeat wins):
    // hand it exactly the values admitted here.
    req.url = `${socketPath}?key=${PEER_KEY}&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
    // A copy, not a slice of the URL string, which would stay alive with it.
    return Buffer.from(id).toString();
  }

  const onSocketError = (error: Error) => log.debug(`upgrade socket error: ${error.message}`);

  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", onSocketError);
    let id: string;
    try {
      id = admit(req);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal("internal");
      if (refusal.code === "internal") log.error(`upgrade failed: ${(error as Error).stack ?? error}`);
      else log.debug(`refused upgrade: ${refusal.code}`);
      return refuse(socket, refusal);
    }
    peer.wss.handleUpgrade(req, socket, head, (ws) => {
      // The same visitor's earlier socket, not closed yet (a page back from a network change): this one takes over.
      const earlier = sessions.get(id);
      const session = new Session(id, ws, deps, earlier);
      sessions.set(id, session);
      (ws as GatedSocket).owner = session;
      peer.wss.emit("connection", ws, req);
      // PeerServer greets with OPEN only ids it does not know; it knows one whose earlier socket is still here.
      if (earlier) session.resume();
      session.tellOnline(sessions.size, now());
      ticking ??= setInterval(tick, TICK_MS);
      ticking.unref?.();
    });
  });

  return {
    app: peer.app,
    online: () => sessions.size,
    async close() {
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

/**
 * The query as one value per name; a repeated name is refused, since the
 * gate and PeerServer would read different repeats (first vs last).
 */
function singleValues(params: URLSearchParams): Record<string, string | undefined> {
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of params) {
    if (name in values) throw new Refusal("bad_request", {}, `The query repeats "${name.slice(0, 40)}".`);
    values[name] = value;
  }
  return values;
}

/**
 * Browsers send the page's origin with every WebSocket upgrade, and no CORS
 * rule protects sockets: without this check any website could open signaling
 * sockets from its visitors' browsers. The page's own origin (same host as
 * the request) and the operator's `--allow-origin` pass; clients that send no
 * Origin (scripts, bots) are not browsers acting for another site.
 */
function createOriginCheck(allowOrigin: readonly string[]): (req: IncomingMessage) => boolean {
  const allowed = new Set(allowOrigin);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowed.has(origin)) return true;
    try {
      const page = new URL(origin);
      return page.host === new URL(`${page.protocol}//${req.headers.host}`).host;
    } catch {
      return false;
    }
  };
}

/** Answers an upgrade with a plain HTTP error and a JSON body, before any handshake. */
function refuse(socket: Duplex, refusal: Refusal): void {
  const body = refusal.body();
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
