/** What a Session (session.ts) is given: its socket, as ws's WebSocket offers it, and the server's parts. */
import type { Logger } from "../log.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { RelayType } from "../protocol/index.ts";
import type { Serial } from "./serial.ts";
import type { SessionSafety } from "./conduct.ts";
import type { KeptConducts } from "./kept-conducts.ts";

/** What a session needs of its socket: ws's WebSocket satisfies it. */
export interface FrameSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  /** Destroys the connection at once, without a close handshake. */
  terminate(): void;
}

/** A session as the gate's registry knows it: by id, holding one of its address's places. */
export interface Registered {
  readonly id: string;
  readonly address: string;
}

/** What keeping a socket needs (socket-keeper.ts). */
export type KeeperDeps = Pick<SessionDeps, "now" | "log" | "metrics">;

export interface SessionDeps {
  /** Applies commands; their events come back through receive(), from the store's sink. */
  readonly store: MatchStore;
  /** Orders commands per visitor id (see serial.ts). */
  readonly serial: Serial;
  /** The socket closed: drop this session from the registry. */
  readonly forget: (session: Registered) => void;
  /** Sends a relayed frame (already encoded) from `from` to the visitor `to`, wherever its socket is. */
  readonly relay: (from: string, to: string, type: RelayType, text: string) => void;
  readonly now: () => number;
  readonly log: Logger;
  /** --preferences: without it, FIND's preferences are dropped (and the client told). */
  readonly preferences: boolean;
  readonly metrics: Pick<Metrics, "rejectedFrame" | "waited">;
  /** Reports, bans and the Next limit (conduct.ts). */
  readonly safety: SessionSafety;
  /** What closed sockets' visitors met and pressed, for their next socket here. */
  readonly kept: KeptConducts;
}

