/**
 * The signaling gate: owns the HTTP server's `upgrade` event, so every
 * WebSocket passes the same checks (path, capacity, country, identity) before
 * PeerServer's handshake, and keeps one Session per admitted socket.
 */
import type { IncomingMessage, Server } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { Refusal } from "../errors.ts";
import type { GeoGate } from "../geo/gate.ts";
import type { Identities } from "../identity.ts";
import type { Logger } from "../log.ts";
import type { MatchEvent } from "../matchmaker/core.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import { createPeerServer, type GatedSocket, PEER_KEY } from "./peer-server.ts";
import { CLOSE, Session } from "./session.ts";

export interface Signaling {
  /** Express app to mount at `path` (PeerServer's HTTP routes). */
  readonly app: ReturnType<typeof createPeerServer>["app"];
  /** Visitors with an open signaling socket. */
  online(): number;
  /** Close every socket (1001) and wait until they are gone. */
  close(): Promise<void>;
}

/**
 * @example
 * const signaling = createSignaling({ httpServer, path: "/signaling", maxClients, geoGate, identities, store, log });
 * app.use("/signaling", signaling.app);
 */
export function createSignaling(
  { httpServer, path, maxClients, geoGate, identities, store, now = Date.now, log }: {
    httpServer: Server;
    path: string;
    maxClients: number;
    geoGate: GeoGate;
    identities: Identities;
    store: MatchStore;
    now?: () => number;
    log: Logger;
  },
): Signaling {
  const peer = createPeerServer({ httpServer, maxClients, log });
  const socketPath = `${path}/peerjs`;
  const sessions = new Map<string, Session>();
  const deliver = (events: readonly MatchEvent[]) => {
    for (const event of events) sessions.get(event.to)?.receive(event);
  };
  const forget = (session: Session) => {
    if (sessions.get(session.id) === session) sessions.delete(session.id);
  };
  const deps = { store, deliver, forget, now, log };

  /** Throws the Refusal that answers this upgrade, or returns the admitted id. */
  function admit(req: IncomingMessage): string {
    const url = new URL(req.url ?? "/", "http://upgrade");
    if (url.pathname !== socketPath) throw new Refusal("not_found");
    if (sessions.size >= maxClients) throw new Refusal("server_full");
    geoGate(req);
    const id = url.searchParams.get("id") ?? "";
    const token = url.searchParams.get("token") ?? "";
    if (url.searchParams.get("key") !== PEER_KEY || !identities.verify(id, token)) {
      throw new Refusal("invalid_identity");
    }
    if (sessions.has(id)) throw new Refusal("id_taken");
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
      const session = new Session(id, ws, deps);
      sessions.set(id, session);
      (ws as GatedSocket).owner = session;
      peer.wss.emit("connection", ws, req);
    });
  });

  return {
    app: peer.app,
    online: () => sessions.size,
    async close() {
      const closed = [...sessions.values()].map((session) => {
        const ws = session.socket as GatedSocket;
        return new Promise<void>((resolve) => {
          ws.once("close", () => resolve());
          ws.close(CLOSE.goingAway, "server shutting down");
          // A peer that does not answer the close handshake is cut off.
          setTimeout(() => ws.terminate(), 1000).unref();
        });
      });
      await Promise.all(closed);
    },
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
