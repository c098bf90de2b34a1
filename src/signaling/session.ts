/**
 * One visitor's signaling socket: checks and budgets each frame, runs match
 * commands in order, relays signaling only to the current (or, for LEAVE,
 * the just-left) partner, bounds what the server holds for it, and decides
 * when it is done. docs/PROTOCOL.md §6 states every limit below.
 */
import type { RawData } from "ws";
import type { Logger } from "../log.ts";
import type { MatchEvent } from "../matchmaker/core.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { CLOSE, FrameBudget, LIMITS } from "./limits.ts";
import type { SocketOwner } from "./peer-server.ts";
import { Conduct, fileReport, type SessionSafety } from "./conduct.ts";
import { decodeClientFrame, encodeFrame, type FrameErrorCode, type Rejection, type ServerFrame } from "../protocol/index.ts";

/** What a session needs of its socket: ws's WebSocket satisfies it. */
export interface FrameSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  /** Destroys the connection at once, without a close handshake. */
  terminate(): void;
}

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
  readonly metrics: Pick<Metrics, "rejectedFrame" | "waited">;
  readonly safety: SessionSafety;
}

const IDLE: Promise<unknown> = Promise.resolve();

export class Session implements SocketOwner {
  partner: string | null = null;
  /** The partner before this one: may still receive our LEAVE. */
  previous: string | null = null;
  /** The pool of the current pair or queue. */
  pool: string | null = null;
  #budget: FrameBudget;
  #strikes = 0;
  #commands: Promise<unknown> = IDLE;
  /** Set the moment the server is done with this socket, before it has closed. */
  #done = false;
  #heardAt: number;
  #heartbeatAt: number;
  #conduct: Conduct;
  /** When the outstanding ping was sent, or -1; and how many bytes had been sent then. */
  #pingAt = -1;
  #pingMark = 0;
  #sent = 0;
  #acknowledged = 0;
  /** When this visitor asked for a partner and has not had one since; null when it is not looking. */
  #findAt: number | null = null;

  readonly id: string;
  readonly socket: FrameSocket;
  readonly deps: SessionDeps;
  /** The visitor's address key (src/safety/address-key.ts). */
  readonly address: string;

  constructor(id: string, socket: FrameSocket, deps: SessionDeps, address = "") {
    this.id = id;
    this.socket = socket;
    this.deps = deps;
    this.address = address;
    this.#conduct = new Conduct(deps.safety, address);
    this.#heardAt = this.#heartbeatAt = deps.now();
    this.#budget = new FrameBudget(this.#heardAt);
  }

  /** Every incoming frame. Nothing reaches PeerServer: we answer or relay it here. */
  message(data: RawData, isBinary: boolean): void {
    if (this.#done) return;
    const now = this.deps.now();
    this.#heardAt = now;
    const limit = this.#budget.take(now, byteLength(data));
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
      case "STOP":
        if (this.partner !== null && this.#refused(this.#conduct.next(now))) return;
        if (frame.type === "STOP") this.#findAt = null;
        // Asking again while waiting keeps one's place, and so one's wait.
        else if (this.partner !== null || this.#findAt === null) this.#findAt = now;
        this.#leavePartner();
        this.#run(() =>
          frame.type === "FIND"
            ? this.deps.store.find(this.id, frame.payload.pool, this.deps.now(), this.address)
            : this.deps.store.stop(this.id, this.deps.now())
        );
        return;
      case "REPORT": {
        // Of the partner (which ends the pair, like Next) or of one who left within the last minute.
        const target = this.#conduct.report(frame.payload.peer, now);
        if (this.#refused(target)) return;
        const current = target.peer === this.partner;
        if (current) {
          this.#findAt = now; // the server looks for the next stranger, as for Next
          this.#leavePartner();
        }
        this.#run(() => fileReport(this.deps, this, { ...target, current }, frame.payload.reason));
        return;
      }
      default:
        if (frame.dst === this.partner || (frame.type === "LEAVE" && frame.dst === this.previous)) {
          // Only what the decoder checked is relayed, with `src` ours.
          return this.deps.relay(frame.dst, encodeFrame({ ...frame, src: this.id }));
        }
        this.deps.log.debug(`dropped ${frame.type} from ${this.id} to non-partner ${frame.dst}`);
        return this.#reject("not_partner", `${frame.type} dropped: ${frame.dst} is not your partner.`);
    }
  }

  /** A matchmaker event addressed to this visitor. */
  receive(event: MatchEvent): void {
    switch (event.type) {
      case "waiting":
        this.pool = event.pool;
        return this.#send({ type: "WAITING", payload: { pool: event.pool } });
      case "matched":
        if (this.#findAt !== null) this.deps.metrics.waited(event.pool, this.deps.now() - this.#findAt);
        this.#findAt = null;
        this.#leavePartner();
        this.partner = event.partner;
        this.pool = event.pool;
        this.#conduct.paired(event.partner, this.deps.now());
        return this.#send({ type: "MATCH", payload: { peer: event.partner, role: event.role, pool: event.pool } });
      case "partner-left":
        // A stale notice (we have moved on already) must not clear the new partner.
        if (this.partner === event.partner) this.#leavePartner();
        return this.#send({ type: "PARTNER-LEFT", payload: { peer: event.partner, reason: event.reason } });
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
    void this.#run(() => this.deps.store.disconnect(this.id, this.deps.now()));
    return true;
  }

  #ping(now: number): void {
    this.#pingAt = now;
    this.#pingMark = this.#sent;
    this.socket.ping();
  }

  #leavePartner(): void {
    if (this.partner === null) return;
    this.#conduct.parted(this.partner, this.deps.now());
    this.previous = this.partner;
    this.partner = null;
  }

  /** Sends the refusal, if there is one. */
  #refused<T extends object>(outcome: T | Rejection | null): outcome is Rejection {
    if (outcome === null || !("code" in outcome)) return false;
    this.deps.metrics.rejectedFrame(outcome.code);
    this.#send({ type: "REJECTED", payload: outcome });
    return true;
  }

  /** Commands of one visitor run one after another, whatever the store's latency. */
  #run(command: () => Promise<readonly MatchEvent[]>): Promise<unknown> {
    const run = this.#commands.then(command).then(this.deps.deliver).catch((error) => {
      this.deps.log.error(`matchmaker failed for ${this.id}: ${(error as Error).stack ?? error}`);
    }).finally(() => {
      // Idle sessions hold no promise of their own.
      if (this.#commands === run) this.#commands = IDLE;
    });
    this.#commands = run;
    return run;
  }

  #reject(code: FrameErrorCode, msg: string): void {
    this.deps.metrics.rejectedFrame(code);
    this.#send({ type: "REJECTED", payload: { code, msg } });
  }

  #send(frame: ServerFrame): void {
    this.push(encodeFrame(frame));
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, chunk) => n + chunk.length, 0);
  return data.byteLength;
}
