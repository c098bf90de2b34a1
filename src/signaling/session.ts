/**
 * One visitor's signaling socket: checks and budgets each frame, runs match
 * commands in order, relays signaling only to the current (or, for LEAVE,
 * the just-left) partner, bounds what the server holds for it, and decides
 * when it is done; a later socket of the same visitor takes over from it.
 * What it may do about strangers (Next's budget, reports) is conduct.ts's.
 * docs/PROTOCOL.md §3–§6 state every rule and limit below.
 */
import type { RawData } from "ws";
import type { MatchEvent } from "../matchmaker/core.ts";
import { StoreUnavailable } from "../matchmaker/store.ts";
import { Refusal } from "../refusal.ts";
import { Budget, byteLength } from "./budget.ts";
import { CLOSE, LIMITS } from "./limits.ts";
import { Liveness } from "./liveness.ts";
import type { SocketOwner } from "./peer-server.ts";
import type { FrameSocket, SessionDeps } from "./session-deps.ts";
import { Conduct, fileReport } from "./conduct.ts";
import {
  decodeClientFrame,
  encodeFrame,
  type FrameErrorCode,
  type Rejection,
  type RelayType,
  type ServerFrame,
  type Wish,
} from "../protocol/index.ts";

export type { FrameSocket, SessionDeps };

/** PeerServer's greeting, which it sends only to ids it does not know yet. */
const OPEN = encodeFrame({ type: "OPEN" });

export class Session implements SocketOwner {
  partner: string | null = null;
  /** The partner before this one: may still receive our LEAVE. */
  previous: string | null = null;
  /** What it asked for and is not paired by yet; null when idle or paired (resync() asks again). */
  seeking: Wish | null = null;
  /** What it last asked for with FIND: where a report of the partner looks for the next one. */
  wish: Wish | null = null;
  #budget: Budget;
  #strikes = 0;
  /** Set the moment the server is done with this socket, before it has closed. */
  #done = false;
  #live: Liveness;
  /** Whom it met lately and how often it pressed Next: what reports and the Next limit go by. */
  #conduct: Conduct;
  /** The last MATCH while paired, or PARTNER-LEFT since: what a socket that takes over may have missed. */
  #news: ServerFrame | null = null;
  /** The online count last told, and when. */
  #toldOnline = -1;
  #toldOnlineAt = -Infinity;
  /** When this visitor asked for a partner and has not had one since; null when it is not looking. */
  #findAt: number | null = null;

  readonly id: string;
  readonly socket: FrameSocket;
  readonly deps: SessionDeps;
  /** The visitor's address key (src/safety/address-key.ts). */
  readonly address: string;

  /**
   * `replaces`: this visitor's earlier session, whose socket this one takes
   * over (a page back from a network change, with the same id and token):
   * unless that one has left matchmaking already, its partner and its place
   * are kept, and its pending commands run before ours (deps.serial orders them per id).
   */
  constructor(id: string, socket: FrameSocket, deps: SessionDeps, address = "", replaces?: Session) {
    this.id = id;
    this.socket = socket;
    this.deps = deps;
    this.address = address;
    const now = deps.now();
    this.#live = new Liveness(now);
    this.#budget = new Budget(now);
    this.#conduct = new Conduct(deps.safety, address);
    if (replaces && !replaces.#done) {
      replaces.#done = true; // its socket's close must not take the visitor out of matchmaking
      deps.log.info(`${id} reconnected: its new socket takes over`);
      replaces.socket.terminate();
      this.partner = replaces.partner;
      this.previous = replaces.previous;
      this.seeking = replaces.seeking;
      this.wish = replaces.wish;
      // Who it met and its Next budget go with the visitor, not the socket (a reconnect must not reset them).
      if (replaces.address === address) this.#conduct = replaces.#conduct;
      this.#news = replaces.#news;
      this.#findAt = replaces.#findAt;
    }
  }

  /**
   * Greets a socket that took over (PeerServer greets only ids it does not
   * know), and repeats what the old socket may have missed: the MATCH of the
   * current partner, or that the partner left.
   */
  resume(): void {
    this.push(OPEN);
    if (this.#news) this.#send(this.#news);
  }

  /** Tells the visitor how many are online: when it changes, at most every LIMITS.onlineEveryMs. */
  tellOnline(count: number, now: number): void {
    if (this.#done || count === this.#toldOnline || now - this.#toldOnlineAt < LIMITS.onlineEveryMs) return;
    this.#toldOnline = count;
    this.#toldOnlineAt = now;
    this.#send({ type: "ONLINE", payload: { count } });
  }

  /** Every incoming frame. Nothing reaches PeerServer: we answer or relay it here. */
  message(data: RawData, isBinary: boolean): void {
    if (this.#done) return;
    const now = this.deps.now();
    this.#live.heard(now);
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
        this.#live.heartbeat(now);
        return;
      case "FIND": {
        if (this.partner !== null && this.#refused(this.#conduct.next(now))) return;
        let wish = frame.payload;
        if (wish.preferences !== null && !this.deps.preferences) {
          wish = { ...wish, preferences: null };
          this.#reject("preferences_off", "This server does not filter by gender (it runs without --preferences): preferences ignored.");
        }
        // Asking again while waiting keeps one's place, and so one's wait.
        if (this.partner !== null || this.#findAt === null) this.#findAt = now;
        this.#leavePartner();
        this.seeking = this.wish = wish;
        this.#run(() => this.deps.store.find(this.id, wish, this.deps.now(), this.address));
        return;
      }
      case "STOP":
        if (this.partner !== null && this.#refused(this.#conduct.next(now))) return;
        this.#findAt = null;
        this.#leavePartner();
        this.seeking = null;
        this.#run(() => this.deps.store.stop(this.id, this.deps.now()));
        return;
      case "REPORT": {
        // Of the partner (which ends the pair, like Next) or of one who left within the last minute.
        const target = this.#conduct.report(frame.payload.peer, now);
        if (this.#refused(target)) return;
        const current = target.peer === this.partner;
        if (current) {
          this.#findAt = now; // the server looks for the next stranger, as for Next
          this.#leavePartner();
          this.seeking = this.wish;
        }
        this.#run(() => fileReport(this.deps, this, { ...target, current }, frame.payload.reason));
        return;
      }
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
        return this.#send({ type: "WAITING", payload: { pool: event.pool } });
      case "matched":
        if (this.#findAt !== null) this.deps.metrics.waited(event.pool, this.deps.now() - this.#findAt);
        this.#findAt = null;
        this.#leavePartner();
        this.partner = event.partner;
        this.seeking = null;
        this.#conduct.paired(event.partner, this.deps.now());
        this.#news = matchFrame(event);
        return this.#send(this.#news);
      case "partner-left": {
        const left: ServerFrame = { type: "PARTNER-LEFT", payload: { peer: event.partner, reason: event.reason } };
        // A stale notice (we have moved on already) must not clear the new partner.
        if (this.partner === event.partner) {
          this.#leavePartner();
          this.#news = left;
        }
        return this.#send(left);
      }
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
      const wish = this.seeking;
      this.#run(() => this.deps.store.find(this.id, wish, this.deps.now(), this.address));
    }
  }

  /**
   * Sends a frame, unless this socket has fallen too far behind reading what
   * was sent before: then it is cut off (its partner is told) and the frame dropped.
   */
  push(text: string): void {
    if (this.#done) return;
    // UTF-16 length: our frames are JSON of ASCII ids and SDP, so this is the byte count, near enough for a bound.
    const unread = this.#live.sending(text.length);
    if (unread > LIMITS.maxUnreadBytes) return this.#drop(`too far behind (${unread} bytes unread)`);
    this.socket.send(text);
    if (this.#live.wantsPing(unread)) this.#ping(this.deps.now());
  }

  /** The answer to our ping: everything sent before it has been read. */
  pong(): void {
    this.#live.ponged(this.deps.now());
  }

  /** Called about once a second: pings quiet sockets, and gives up on dead ones. */
  tick(now: number): void {
    if (this.#done) return;
    const due = this.#live.check(now);
    if (due === "dead") return this.#drop("no answer to ping");
    if (due === "ping") this.#ping(now);
    if (this.#live.heartbeatLate(now)) {
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
    this.#live.pinged(now);
    this.socket.ping();
  }

  #leavePartner(): void {
    if (this.partner === null) return;
    this.#conduct.parted(this.partner, this.deps.now());
    this.previous = this.partner;
    this.partner = null;
    this.#news = null;
  }

  /** Sends the refusal, if there is one. */
  #refused<T extends object>(outcome: T | Rejection | null): outcome is Rejection {
    if (outcome === null || !("code" in outcome)) return false;
    this.deps.metrics.rejectedFrame(outcome.code);
    this.#send({ type: "REJECTED", payload: outcome });
    return true;
  }

  /** The current partner; for LEAVE, the previous one too. */
  #mayReach(peer: string, type: RelayType): boolean {
    return peer === this.partner || (type === "LEAVE" && peer === this.previous);
  }

  /** Queues a command behind this visitor's others; if the store fails, the visitor is told and reconnects. */
  #run(command: () => Promise<unknown>): void {
    this.deps.serial.run(this.id, command).catch((error) => {
      // The shared stores (matchmaking, safety) cannot be reached: try again in a moment.
      if (error instanceof StoreUnavailable || (error instanceof Refusal && error.code === "unavailable")) {
        this.deps.log.warn(`matchmaking unavailable for ${this.id}: ${error.message}`);
        return this.end(CLOSE.tryAgainLater, "matchmaking is unavailable; reconnect in a moment");
      }
      this.deps.log.error(`matchmaker failed for ${this.id}: ${(error as Error).stack ?? error}`);
      this.end(CLOSE.internalError, "matchmaking failed");
    });
  }

  #reject(code: FrameErrorCode, msg: string): void {
    this.deps.metrics.rejectedFrame(code);
    this.#send({ type: "REJECTED", payload: { code, msg } });
  }

  #send(frame: ServerFrame): void {
    this.push(encodeFrame(frame));
  }
}

function matchFrame({ partner: peer, role, pool, interests }: Extract<MatchEvent, { type: "matched" }>): ServerFrame {
  return { type: "MATCH", payload: interests ? { peer, role, pool, interests } : { peer, role, pool } };
}
