/**
 * The page's link to the server, over peerjs: get an identity, open the
 * signaling socket, ask for partners, and open or accept connections.
 * The model (state.ts) sees only the small interfaces below, so tests can
 * stand in a fake for peerjs and fetch.
 */
import type { DataConnection, MediaConnection, Peer } from "peerjs";
import {
  type ClientConfig,
  type ClientFrame,
  decodeServerFrame,
  type Identity,
  type LeftReason,
  type Rejection,
  type ReportReason,
  type Role,
} from "../src/protocol/index.ts";

export type { Identity };
export { Banned, Blocked, identityRequester, RateLimited, type RequestIdentity } from "./identity.ts";

export interface DataLink {
  readonly peer: string;
  handle(handlers: { open?(): void; data?(data: unknown): void; close?(): void }): void;
  send(data: unknown): void;
  close(): void;
}

export interface CallLink {
  readonly peer: string;
  handle(handlers: { stream?(remote: MediaStream): void; close?(): void }): void;
  answer(stream: MediaStream): void;
  /** Swaps the outgoing track of that kind without renegotiating. */
  replaceTrack(track: MediaStreamTrack): void;
  close(): void;
}

export interface SignalingEvents {
  open(): void;
  match(match: { peer: string; role: Role }): void;
  partnerLeft(left: { peer: string; reason: LeftReason }): void;
  /** The server refused a frame of ours (a Next too soon, a report it would not count). */
  rejected(rejection: Rejection): void;
  connection(link: DataLink): void;
  call(link: CallLink): void;
  /** The socket is gone (dropped, refused or closed by the server). */
  closed(): void;
}

export interface SignalingClient {
  find(): void;
  report(peer: string, reason: ReportReason): void;
  connect(peer: string): DataLink;
  call(peer: string, stream: MediaStream): CallLink;
  destroy(): void;
}

export type OpenSignaling = (identity: Identity, events: SignalingEvents) => SignalingClient;

/**
 * Opens peerjs against the server at `location` (the page's own). Scripted
 * visitors pass a private `pool` so that they only meet each other.
 */
export function peerSignaling(
  PeerClass: typeof Peer,
  config: ClientConfig,
  location: Pick<Location, "protocol" | "hostname" | "port">,
  { pool }: { pool?: string } = {},
): OpenSignaling {
  const secure = location.protocol === "https:";
  const find: ClientFrame = pool ? { type: "FIND", payload: { pool } } : { type: "FIND" };
  return ({ id, token }, events) => {
    const peer = new PeerClass(id, {
      host: location.hostname,
      port: Number(location.port) || (secure ? 443 : 80),
      path: config.path,
      key: config.key,
      token,
      secure,
      config: { iceServers: [...config.iceServers] as RTCIceServer[] },
      debug: 0,
    });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      events.closed();
    };
    peer.on("open", () => events.open());
    peer.on("connection", (conn) => events.connection(dataLink(conn)));
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
      if (frame?.type === "MATCH") events.match({ peer: frame.payload.peer, role: frame.payload.role });
      else if (frame?.type === "PARTNER-LEFT") events.partnerLeft({ peer: frame.payload.peer, reason: frame.payload.reason });
      else if (frame?.type === "REJECTED") events.rejected(frame.payload);
    });
    return {
      find: () => peer.socket.send(find),
      report: (partner, reason) => peer.socket.send({ type: "REPORT", payload: { peer: partner, reason } } satisfies ClientFrame),
      connect: (partner) => dataLink(peer.connect(partner, { serialization: "json", reliable: true })),
      call: (partner, stream) => callLink(peer.call(partner, stream)),
      destroy: () => {
        closed = true;
        peer.destroy();
      },
    };
  };
}

function dataLink(conn: DataConnection): DataLink {
  return {
    peer: conn.peer,
    handle({ open, data, close }) {
      if (open) conn.open ? queueMicrotask(open) : conn.on("open", open);
      if (data) conn.on("data", data);
      if (close) {
        conn.on("close", close);
        conn.on("error", close);
      }
    },
    send: (data) => {
      if (conn.open) void conn.send(data);
    },
    close: () => conn.close(),
  };
}

function callLink(call: MediaConnection): CallLink {
  return {
    peer: call.peer,
    handle({ stream, close }) {
      if (stream) call.on("stream", stream);
      if (close) {
        call.on("close", close);
        call.on("error", close);
      }
    },
    answer: (stream) => call.answer(stream),
    replaceTrack(track) {
      const sender = call.peerConnection?.getSenders().find((s) => s.track?.kind === track.kind);
      void sender?.replaceTrack(track);
    },
    close: () => call.close(),
  };
}
