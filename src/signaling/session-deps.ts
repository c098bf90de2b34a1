/** What a Session (session.ts) is given: its socket, as ws's WebSocket offers it, and the server's parts. */
import type { Logger } from "../log.ts";
import type { MatchEvent } from "../matchmaker/core.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { SessionSafety } from "./conduct.ts";
import type { Session } from "./session.ts";

/** What a session needs of its socket: ws's WebSocket satisfies it. */
export interface FrameSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  /** Destroys the connection at once, without a close handshake. */
  terminate(): void;
}

/** What keeping a socket needs (socket-keeper.ts). */
export type KeeperDeps = Pick<SessionDeps, "now" | "log" | "metrics">;

export interface SessionDeps {
  readonly store: MatchStore;
  /** The socket closed: drop this session from the registry. */
  readonly forget: (session: Session) => void;
  /** Hands the events of a command to the sessions they are for. */
  readonly deliver: (events: readonly MatchEvent[]) => void;
  /** Sends a relayed frame (already encoded) to the visitor `to`, wherever its socket is. */
  readonly relay: (to: string, text: string) => void;
  readonly now: () => number;
  readonly log: Logger;
  /** --preferences: without it, FIND's preferences are dropped (and the client told). */
  readonly preferences: boolean;
  readonly metrics: Pick<Metrics, "rejectedFrame" | "waited">;
  /** Reports, bans and the Next limit (conduct.ts). */
  readonly safety: SessionSafety;
}

