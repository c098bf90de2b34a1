/**
 * PeerServer (the `peer` package), mounted in our Express app with a
 * `noServer` WebSocket server: it never sees an upgrade we did not admit,
 * nor a frame our session did not pass.
 */
import type { EventEmitter } from "node:events";
import type { Server } from "node:http";
import express from "express";
import { ExpressPeerServer } from "peer";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../log.ts";

/** The only API key; peerjs sends it as ?key= and PeerServer checks it. */
export const PEER_KEY = "peerjs";

/** Largest frame accepted; PeerServer's own default is 100 MiB. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Who answers for a gated socket: sees each frame first, and hears of its close. */
export interface SocketOwner {
  /** True passes the frame on to PeerServer. */
  accept(data: RawData, isBinary: boolean): boolean;
  closed(): void;
}

/**
 * A WebSocket whose frames reach PeerServer's listeners only if its owner
 * accepts them. Hooking `emit` (PeerServer listens for "message" itself) costs
 * no listener or closure per socket, which matters at tens of thousands.
 */
export class GatedSocket extends WebSocket {
  owner: SocketOwner | null = null;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === "message") {
      if (this.owner && !this.owner.accept(args[0] as RawData, args[1] as boolean)) return false;
    } else if (event === "close") this.owner?.closed();
    return super.emit(event, ...args);
  }
}

export interface MountedPeerServer {
  /** Express app to mount at the signaling path. */
  readonly app: express.Express;
  readonly wss: WebSocketServer;
}

/**
 * @example
 * const peer = createPeerServer({ httpServer, maxClients: 50_000, log });
 * app.use("/signaling", peer.app);
 * peer.wss.handleUpgrade(req, socket, head, (ws) => peer.wss.emit("connection", ws, req));
 */
export function createPeerServer(
  { httpServer, maxClients, log }: { httpServer: Server; maxClients: number; log: Logger },
): MountedPeerServer {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_FRAME_BYTES,
    WebSocket: GatedSocket,
  });
  const app = ExpressPeerServer(httpServer, {
    key: PEER_KEY,
    path: "/",
    allow_discovery: false,
    // peerjs sends a HEARTBEAT every 5 s; a silent socket is dropped after this.
    alive_timeout: 30_000,
    // Our upgrade handler refuses first, with a 503 before the handshake.
    concurrent_limit: maxClients + 1,
    createWebSocketServer: () => wss,
  } as Parameters<typeof ExpressPeerServer>[1]) as unknown as express.Express;
  // Without a listener, one bad frame's error would crash the process.
  (app as unknown as EventEmitter).on("error", (error: Error) => log.debug(`signaling socket error: ${error.message}`));
  return { app, wss };
}
