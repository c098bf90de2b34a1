/**
 * The page's two links to a stranger, over peerjs: the DataConnection (chat,
 * and what each sends) and the MediaConnection (the call). The model sees
 * only these small interfaces, so tests stand in fakes for peerjs.
 */
import type { DataConnection, MediaConnection } from "peerjs";
import type { ConnectionType, SessionDescription } from "../src/protocol/index.ts";
import type { StatsSample } from "./model/quality.ts";
import { acceptAnswer, answerRestart, restartOffer, statsOf, watchIce } from "./rtc.ts";

/** What both links offer: their ICE, restarted through the signaling server, and their statistics. */
export interface IceLink {
  readonly peer: string;
  /** peerjs's id of the connection: RESTART frames name it. */
  readonly connectionId: string;
  readonly kind: ConnectionType;
  /** The caller's side: an offer that restarts ICE, or null when none could be made. */
  restartOffer(): Promise<SessionDescription | null>;
  /** The callee's side: takes the stranger's restart offer, gives the answer. */
  answerRestart(offer: SessionDescription): Promise<SessionDescription | null>;
  acceptAnswer(answer: SessionDescription): void;
  stats(): Promise<StatsSample | null>;
}

export interface DataLink extends IceLink {
  handle(handlers: { open?(): void; data?(data: unknown): void; close?(): void; ice?(state: RTCIceConnectionState): void }): void;
  send(data: unknown): void;
  close(): void;
}

export interface CallLink extends IceLink {
  handle(handlers: { stream?(remote: MediaStream): void; close?(): void; ice?(state: RTCIceConnectionState): void }): void;
  answer(stream: MediaStream): void;
  /** Swaps the outgoing track of that kind without renegotiating. */
  replaceTrack(track: MediaStreamTrack): void;
  /** The call's WebRTC statistics as the browser gives them (how it is connected); null once it is gone. */
  rtcStats(): Promise<RTCStatsReport | null>;
  close(): void;
}

type Connection = DataConnection | MediaConnection;

/** The ICE half of a link; `pc()` is null until peerjs has made the connection's RTCPeerConnection. */
function iceLink(conn: Connection, kind: ConnectionType, pc: () => RTCPeerConnection | null): IceLink {
  return {
    peer: conn.peer,
    connectionId: conn.connectionId,
    kind,
    restartOffer: async () => {
      const c = pc();
      return c ? await restartOffer(c) : null;
    },
    answerRestart: (offer) => {
      const c = pc();
      return c ? answerRestart(c, offer) : Promise.resolve(null);
    },
    acceptAnswer: (answer) => {
      const c = pc();
      if (c) acceptAnswer(c, answer);
    },
    stats: async () => {
      const c = pc();
      return c ? await statsOf(c) : null;
    },
  };
}

export function dataLink(conn: DataConnection): DataLink {
  return {
    ...iceLink(conn, "data", () => conn.peerConnection ?? null),
    handle({ open, data, close, ice }) {
      if (open) conn.open ? queueMicrotask(open) : conn.on("open", open);
      if (data) conn.on("data", data);
      if (close) {
        conn.on("close", close);
        conn.on("error", close);
      }
      // peerjs made the RTCPeerConnection with the DataConnection, for either side.
      if (ice && conn.peerConnection) watchIce(conn.peerConnection, ice);
    },
    send: (data) => {
      if (conn.open) void conn.send(data);
    },
    close: () => conn.close(),
  };
}

export function callLink(call: MediaConnection): CallLink {
  let onIce: ((state: RTCIceConnectionState) => void) | undefined;
  const watch = () => {
    if (onIce && call.peerConnection) watchIce(call.peerConnection, onIce);
  };
  return {
    ...iceLink(call, "media", () => call.peerConnection ?? null),
    handle({ stream, close, ice }) {
      if (stream) call.on("stream", stream);
      if (close) {
        call.on("close", close);
        call.on("error", close);
      }
      // The caller's connection exists now; the callee's once it answers.
      if (ice) {
        onIce = ice;
        watch();
      }
    },
    answer: (stream) => {
      call.answer(stream);
      watch();
    },
    replaceTrack(track) {
      const sender = call.peerConnection?.getSenders().find((s) => s.track?.kind === track.kind);
      void sender?.replaceTrack(track);
    },
    rtcStats: async () => call.peerConnection ? await call.peerConnection.getStats() : null,
    close: () => call.close(),
  };
}
