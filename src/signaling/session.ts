/**
 * One visitor's signaling socket: checks and budgets each frame, runs match
 * commands in order, relays signaling only to the current (or, for LEAVE,
 * the just-left) partner, bounds what the server holds for it, and decides
 * when it is done. docs/PROTOCOL.md §6 states every limit below.
 */
import type { RawData } from "ws";
import type { Logger } from "../log.ts";
import type { MatchEvent } from "../matchmaker/core.ts";
import { type MatchStore, StoreUnavailable } from "../matchmaker/store.ts";
import { CLOSE, LIMITS } from "./limits.ts";
import { FrameBudget } from "./budget.ts";
import type { SocketOwner } from "./peer-server.ts";
import type { Serial } from "./serial.ts";
import { decodeClientFrame, encodeFrame, type FrameErrorCode, type RelayType, type ServerFrame } from "../protocol/index.ts";

/** What a session needs of its socket: ws's WebSocket satisfies it. */
export interface FrameSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  /** Destroys the connection at once, without a close handshake. */
  terminate(): void;
}

export interface SessionDeps {
  /** Applies commands; their events come back through receive(), from the store. */
  readonly store: MatchStore;
  /** Orders commands per visitor id (see serial.ts). */
  readonly serial: Serial;
  /** The socket closed: drop this session from the registry. */
  readonly forget: (session: Session) => void;
  /** Sends a relayed frame (already encoded) from `from` to the visitor `to`, wherever its socket is. */
  readonly relay: (from: string, to: string, type: RelayType, text: string) => void;
  readonly now: () => number;
  readonly log: Logger;
}

export class Session implements SocketOwner {
  partner: string | null = null;
  /** The partner before this one: may still receive our LEAVE. */
  previous: string | null = null;
  /** The pool it asked to be paired in and is not paired in yet; null when idle or paired. */
  seeking: string | null = null;
  #budget: FrameBudget;
  #strikes = 0;
  /** Set the moment the server is done with this socket, before it has closed. */
  #done = false;
  #heardAt: number;
  #heartbeatAt: number;
  /** When the outstanding ping was sent, or -1; and how many bytes had been sent then. */
  #pingAt = -1;
  #pingMark = 0;
  #sent = 0;
  #acknowledged = 0;

  readonly id: string;
  readonly socket: FrameSocket;
  readonly deps: SessionDeps;

  constructor(id: string, socket: FrameSocket, deps: SessionDeps) {
    this.id = id;
    this.socket = socket;
    this.deps = deps;
    this.#heardAt = this.#heartbeatAt = deps.now();
    this.#budget = new FrameBudget(this.#heardAt);
  }

  /** Every incoming frame. Nothing reaches PeerServer: we answer or relay it here. */
  message(data: RawData, isBinary: boolean): void {
    if (this.#done) return;
    const now = this.deps.now();
    this.#heardAt = now;
    const limit = this.#budget.take(now, data);
    if (limit) return this.end(CLOSE.policyViolation, limit);
    if (isBinary) return this.end(CLOSE.unsupportedData, "binary frames are not supported");
    const decoded = decodeClientFrame(data.toString());
    if (!decoded.ok) {
      this.#reject(decoded.code, decoded.msg);
      if (++this.#strikes >= LIMITS.maxStrikes) this.end(CLOSE.policyViolation, "too many malformed frames");
      return;
    }
    const frame = decoded.frame;
    switch (frame.type) {
      case "HEARTBEAT":
        this.#heartbeatAt = now;
        return;
      case "FIND":
        this.#leavePartner();
        this.seeking = frame.payload.pool;
        this.#run(() => this.deps.store.find(this.id, frame.payload.pool, this.deps.now()));
        return;
      case "STOP":
        this.#leavePartner();
        this.seeking = null;
        this.#run(() => this.deps.store.stop(this.id, this.deps.now()));
        return;
      default:
        if (this.#mayReach(frame.dst, frame.type)) {
          // Only what the decoder checked is relayed, with `src` ours.
          return this.deps.relay(this.id, frame.dst, frame.type, encodeFrame({ ...frame, src: this.id }));
        }
        this.deps.log.debug(`dropped ${frame.type} from ${this.id} to non-partner ${frame.dst}`);
        return this.#reject("not_partner", `${frame.type} dropped: ${frame.dst} is not your partner.`);
    }
  }

  /** A matchmaker event addressed to this visitor. */
  receive(event: MatchEvent): void {
    switch (event.type) {
      case "waiting":
        this.seeking = event.pool;
        return this.#send({ type: "WAITING", payload: { pool: event.pool } });
      case "matched":
        this.#leavePartner();
        this.partner = event.partner;
        this.seeking = null;
        return this.#send({ type: "MATCH", payload: { peer: event.partner, role: event.role, pool: event.pool } });
      case "partner-left":
        // A stale notice (we have moved on already) must not clear the new partner.
        if (this.partner === event.partner) this.#leavePartner();
        return this.#send({ type: "PARTNER-LEFT", payload: { peer: event.partner, reason: event.reason } });
    }
  }

  /** A frame from `from`: passed on only if this side, too, takes `from` for its partner. */
  relayed(from: string, type: RelayType, text: string): void {
    if (this.#mayReach(from, type)) this.push(text);
    else this.deps.log.debug(`dropped ${type} from non-partner ${from} to ${this.id}`);
  }

  /** The store may have lost this visitor or its events: give up the partner, or search again. */
  resync(): void {
    if (this.#done) return;
    if (this.partner !== null) {
      this.receive({ type: "partner-left", to: this.id, partner: this.partner, reason: "disconnect" });
      this.#run(() => this.deps.store.stop(this.id, this.deps.now()));
    } else if (this.seeking !== null) {
      const pool = this.seeking;
      this.#run(() => this.deps.store.find(this.id, pool, this.deps.now()));
    }
  }

  /**
   * Sends a frame, unless this socket has fallen too far behind reading what
   * was sent before: then it is cut off (its partner is told) and the frame dropped.
   */
  push(text: string): void {
    if (this.#done) return;
    // UTF-16 length: our frames are JSON of ASCII ids and SDP, so this is the byte count, near enough for a bound.
    this.#sent += text.length;
    const unread = this.#sent - this.#acknowledged;
    if (unread > LIMITS.maxUnreadBytes) return this.#drop(`too far behind (${unread} bytes unread)`);
    this.socket.send(text);
    if (this.#pingAt < 0 && unread > LIMITS.pingUnreadBytes) this.#ping(this.deps.now());
  }

  /** The answer to our ping: everything sent before it has been read. */
  pong(): void {
    this.#heardAt = this.deps.now();
    this.#acknowledged = this.#pingMark;
    this.#pingAt = -1;
  }

  /** Called about once a second: pings quiet sockets, and gives up on dead ones. */
  tick(now: number): void {
    if (this.#done) return;
    if (this.#pingAt >= 0) {
      if (now - this.#pingAt > LIMITS.pongTimeoutMs) return this.#drop("no answer to ping");
    } else if (now - this.#heardAt > LIMITS.pingAfterMs) this.#ping(now);
    if (now - this.#heartbeatAt > LIMITS.heartbeatTimeoutMs) {
      this.end(CLOSE.policyViolation, `no HEARTBEAT for ${LIMITS.heartbeatTimeoutMs / 1000} s`);
    }
  }

  /** Closes the socket with a code the client sees (the close reaches closing() below). */
  end(code: number, reason: string): void {
    if (this.#done) return;
    this.deps.log.info(`closing ${this.id}: ${reason}`);
    this.socket.close(code, reason);
  }

  /**
   * Whoever closes the socket (we, ws on a bad frame, the client's own close
   * frame): it leaves matchmaking now, not when the close handshake ends,
   * which a vanished client never answers (ws waits 30 s). It is cut off
   * after a short grace.
   */
  closing(): void {
    if (!this.#leave()) return;
    const socket = this.socket;
    setTimeout(() => socket.terminate(), LIMITS.closeGraceMs).unref?.();
  }

  /** The socket is gone. */
  closed(): void {
    this.deps.forget(this);
    this.#leave();
  }

  /** Cut off without a close frame: it would wait behind what the client is not reading. */
  #drop(reason: string): void {
    this.deps.log.info(`dropping ${this.id}: ${reason}`);
    this.#leave();
    this.socket.terminate();
  }

  /** Leaves matchmaking once; false if already done. */
  #leave(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#run(() => this.deps.store.disconnect(this.id, this.deps.now()));
    return true;
  }

  #ping(now: number): void {
    this.#pingAt = now;
    this.#pingMark = this.#sent;
    this.socket.ping();
  }

  #leavePartner(): void {
    if (this.partner === null) return;
    this.previous = this.partner;
    this.partner = null;
  }

  /** The current partner; for LEAVE, the previous one too. */
  #mayReach(peer: string, type: RelayType): boolean {
    return peer === this.partner || (type === "LEAVE" && peer === this.previous);
  }

  /** Queues a command behind this visitor's others; if the store fails, the visitor is told and reconnects. */
  #run(command: () => Promise<unknown>): void {
    this.deps.serial.run(this.id, command).catch((error) => {
      if (error instanceof StoreUnavailable) {
        this.deps.log.warn(`matchmaking unavailable for ${this.id}: ${error.message}`);
        return this.end(CLOSE.tryAgainLater, "matchmaking is unavailable; reconnect in a moment");
      }
      this.deps.log.error(`matchmaker failed for ${this.id}: ${(error as Error).stack ?? error}`);
      this.end(CLOSE.internalError, "matchmaking failed");
    });
  }

  #reject(code: FrameErrorCode, msg: string): void {
    this.#send({ type: "REJECTED", payload: { code, msg } });
  }

  #send(frame: ServerFrame): void {
    this.push(encodeFrame(frame));
  }
}
