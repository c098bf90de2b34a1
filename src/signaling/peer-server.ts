/**
 * PeerServer (the `peer` package), mounted in our Express app for its HTTP
 * routes, with a `noServer` WebSocket server that our upgrade gate drives:
 * PeerServer never sees a socket nor a frame. Our sessions greet sockets with
 * OPEN, as peerjs expects, and do everything else. Registering each socket
 * with PeerServer as well cost ~0.6 KB per socket (three listeners, their
 * closure's context, its client record and its copies of the id and token;
 * heap snapshots at 5,000 and 10,000 sockets) for nothing we used.
 */
import type { Server } from "node:http";
import { ExpressPeerServer } from "peer";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../log.ts";
import { PEER_KEY } from "../protocol/index.ts";

/** Largest frame accepted; PeerServer's own default is 100 MiB. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Who answers for a gated socket: hears its frames, pongs, errors and closing. */
export interface SocketOwner {
  message(data: RawData, isBinary: boolean): void;
  pong(): void;
  /** ws's error on a bad frame (the socket is closed next); without an answer it would crash the process. */
  error(error: Error): void;
  /** The socket is being closed, by anyone: the server is done with it. */
  closing(): void;
  closed(): void;
}

/**
 * A WebSocket whose events go to its owner: relaying is ours, with bounds
 * PeerServer lacks. Hooking `emit` costs no listener or closure per socket,
 * which matters at tens of thousands; hooking `close` catches ws's own closes
 * (oversized or invalid frames) as well as ours.
 */
export class GatedSocket extends WebSocket {
  owner: SocketOwner | null = null;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const owner = this.owner;
    if (event === "error") {
      owner?.error(args[0] as Error);
      return true;
    }
    if (owner) {
      if (event === "message") {
        owner.message(args[0] as RawData, args[1] as boolean);
        return true;
      }
      if (event === "pong") owner.pong();
      else if (event === "close") owner.closed();
    }
    return super.emit(event, ...args);
  }

  override close(code?: number, data?: string | Buffer): void {
    this.owner?.closing();
    super.close(code, data);
  }
}

/**
 * PeerServer's app, mountable in ours, and its events: an app of peer's own
 * Express 4 under Deno and tsx, of our Express 5 in the build (dev/build.ts,
 * ONE_COPY).
 */
export type PeerApp = ReturnType<typeof ExpressPeerServer>;

export interface MountedPeerServer {
  /** The app to mount at the signaling path; mounting it starts PeerServer. */
  readonly app: PeerApp;
  readonly wss: WebSocketServer;
}

/**
 * @example
 * const peer = createPeerServer({ httpServer, log });
 * app.use("/signaling", peer.app);
 * peer.wss.handleUpgrade(req, socket, head, (ws) => ws.send('{"type":"OPEN"}'));
 */
export function createPeerServer({ httpServer, log }: { httpServer: Server; log: Logger }): MountedPeerServer {
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
    // Sockets never reach PeerServer, so it has no HEARTBEAT to check; sessions keep time themselves (session.ts).
    alive_timeout: Number.MAX_SAFE_INTEGER,
    // Our upgrade handler holds the limit, refusing with a 503 before the handshake.
    concurrent_limit: Infinity,
    // Without one, PeerServer would listen for upgrades itself; this one never emits "connection".
    createWebSocketServer: () => wss,
    // PeerServer's routes would echo any Origin back with CORS.
    corsOptions: { origin: false },
  });
  // PeerServer repeats its WebSocket server's errors here: without a listener, one would crash the process.
  app.on("error", (error) => log.debug(`signaling socket error: ${error.message}`));
  return { app, wss };
}
