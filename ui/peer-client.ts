/**
 * The page's link to the server, over peerjs: get an identity, open the
 * signaling socket, ask for partners, and open or accept connections.
 * The model (state.ts) sees only the small interfaces below, so tests can
 * stand in a fake for peerjs and fetch.
 */
import type { Peer } from "peerjs";
import {
  type ClientConfig,
  type ClientFrame,
  decodeServerFrame,
  type FindPayload,
  type Identity,
  type LeftReason,
  type Rejection,
  type ReportReason,
  type Role,
  type SessionDescription,
} from "../src/protocol/index.ts";
import { type CallLink, callLink, type DataLink, dataLink } from "./peer-links.ts";

export type { CallLink, DataLink, Identity };
export { Banned, Blocked, identityRequester, RateLimited, type RequestIdentity } from "./identity.ts";

/** An ICE restart's description for one of the stranger's connections, either way. */
export interface Restart {
  readonly peer: string;
  readonly connectionId: string;
  readonly kind: "data" | "media";
  readonly sdp: SessionDescription;
}

export interface SignalingEvents {
  open(): void;
  match(match: { peer: string; role: Role; interests?: readonly string[] }): void;
  partnerLeft(left: { peer: string; reason: LeftReason }): void;
  /** The server refused a frame of ours (a Next too soon, a report it would not count). */
  rejected(rejection: Rejection): void;
  connection(link: DataLink): void;
  call(link: CallLink): void;
  /** The visitors online, as the server counts them. */
  online(count: number): void;
  /** The stranger restarts ICE (an offer), or answers our restart. */
  restart(restart: Restart): void;
  /** The socket is gone (dropped, refused or closed by the server). */
  closed(): void;
}

export interface SignalingClient {
  find(wish?: FindPayload): void;
  report(peer: string, reason: ReportReason): void;
  connect(peer: string): DataLink;
  call(peer: string, stream: MediaStream): CallLink;
  restart(restart: Restart): void;
  /** After closed(): open the socket again with the same identity, keeping the stranger's connections. */
  reconnect(): void;
  destroy(): void;
}

export type OpenSignaling = (identity: Identity, events: SignalingEvents) => SignalingClient;

/**
 * Opens peerjs against the server at `location` (the page's own), with the
 * identity's ICE servers (its own TURN credentials) when it has them.
 * Scripted visitors pass a private `pool` so that they only meet each other.
 * `relayOnly` is asked at each new connection (a visitor's "Hide my IP
 * address"); the server's `relay: "forced"` makes every connection relayed.
 */
export function peerSignaling(
  PeerClass: typeof Peer,
  config: ClientConfig,
  location: Pick<Location, "protocol" | "hostname" | "port">,
  { pool, relayOnly = () => false }: { pool?: string; relayOnly?: () => boolean } = {},
): OpenSignaling {
  const secure = location.protocol === "https:";
  const find = (wish: FindPayload = {}): ClientFrame => ({ type: "FIND", payload: pool ? { ...wish, pool } : wish });
  const forced = config.relay === "forced";
  return ({ id, token, iceServers = config.iceServers }, events) => {
    // peerjs hands this object to every RTCPeerConnection it makes, which
    // reads it then: the policy getter takes a choice made since into account.
    const rtc: RTCConfiguration = {
      iceServers: [...iceServers] as RTCIceServer[],
      get iceTransportPolicy(): RTCIceTransportPolicy {
        return forced || relayOnly() ? "relay" : "all";
      },
    };
    const peer = new PeerClass(id, {
      host: location.hostname,
      port: Number(location.port) || (secure ? 443 : 80),
      path: config.path,
      key: config.key,
      token,
      secure,
      config: rtc,
      debug: 0,
    });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      events.closed();
    };
    peer.on("open", () => events.open());
    // The page speaks JSON (its binary packer is not bundled, ui/binarypack.ts): any other offer is closed.
    peer.on("connection", (conn) => conn.serialization === "json" ? events.connection(dataLink(conn)) : conn.close());
    peer.on("call", (call) => events.call(callLink(call)));
    peer.on("disconnected", close);
    peer.on("close", close);
    // peerjs reports refused sockets and lost servers as errors; per-connection
    // errors (peer-unavailable, webrtc) are handled by each link's close.
    peer.on("error", (error) => {
      if (["network", "server-error", "socket-error", "socket-closed", "unavailable-id"].includes(error.type)) close();
    });
    // Our own frames (MATCH, PARTNER-LEFT, …) arrive on the same socket; peerjs ignores them.
    peer.socket.on("message", (data: unknown) => {
      const frame = decodeServerFrame(data);
      switch (frame?.type) {
        case "MATCH":
          return events.match(frame.payload);
        case "PARTNER-LEFT":
          return events.partnerLeft(frame.payload);
        case "REJECTED":
          return events.rejected(frame.payload);
        case "ONLINE":
          return events.online(frame.payload.count);
        case "RESTART": {
          // peerjs hands RESTART to the connection it names, which ignores it: the page restarts ICE itself.
          const p = frame.payload;
          if (p && "sdp" in p) events.restart({ peer: frame.src, connectionId: p.connectionId, kind: p.type, sdp: p.sdp });
        }
      }
    });
    return {
      find: (wish) => peer.socket.send(find(wish)),
      report: (partner, reason) => peer.socket.send({ type: "REPORT", payload: { peer: partner, reason } } satisfies ClientFrame),
      connect: (partner) => dataLink(peer.connect(partner, { serialization: "json", reliable: true })),
      call: (partner, stream) => callLink(peer.call(partner, stream)),
      restart: ({ peer: partner, connectionId, kind, sdp }) =>
        peer.socket.send({ type: "RESTART", dst: partner, payload: { sdp, type: kind, connectionId } }),
      reconnect: () => {
        if (!peer.disconnected || peer.destroyed) return;
        closed = false;
        peer.reconnect();
      },
      destroy: () => {
        closed = true;
        peer.destroy();
      },
    };
  };
}
