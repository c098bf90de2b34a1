/**
 * One signaling socket as the server keeps it, whoever its visitor is: what
 * it may send (token buckets of frames and of bytes, refilled with time, so a
 * burst passes and a flood does not), whether it is alive and keeps up (when
 * it was last heard from, its PeerJS heartbeats, and how much of what was
 * sent to it it has not acknowledged: a pong to a ping sent after those bytes
 * proves they were read), and how it ends. LIMITS says how much is too much.
 * Session (session.ts) extends it with what the visitor does.
 *
 * Its state is plain fields of the session rather than objects of their own:
 * a Budget and a Liveness object per socket cost 56 bytes more, and a clock
 * of the budgets' own 24 more (V8 boxes each number field that holds a time
 * in 16 bytes of its own), counted in heap snapshots at 5,000 and 10,000 idle
 * sockets.
 */
import type { RawData } from "ws";
import { decodeClientFrame, type DecodedClientFrame, encodeFrame, type FrameErrorCode, type ServerFrame } from "../protocol/index.ts";
import { CLOSE, LIMITS } from "./limits.ts";
import type { FrameSocket, KeeperDeps } from "./session-deps.ts";

/** A frame that passed the budget and the decoder, for the subclass to act on (HEARTBEAT is kept here). */
export type ActionFrame = Exclude<DecodedClientFrame, { type: "HEARTBEAT" }>;

export abstract class SocketKeeper<D extends KeeperDeps = KeeperDeps> {
  /** The visitor's peer id. */
  readonly id: string;
  readonly socket: FrameSocket;
  readonly deps: D;
  /** Set the moment the server is done with this socket, before it has closed. */
  #done = false;
  #strikes = 0;
  /** What is left of the frame and byte budgets, as of #heardAt (they refill whenever it is heard from). */
  #frames: number = LIMITS.burstFrames;
  #bytes: number = LIMITS.burstBytes;
  #heardAt: number;
  #heartbeatAt: number;
  /** When the outstanding ping was sent, or -1; and how many bytes had been sent then. */
  #pingAt = -1;
  #pingMark = 0;
  #sent = 0;
  #acknowledged = 0;

  constructor(id: string, socket: FrameSocket, deps: D) {
    this.id = id;
    this.socket = socket;
    this.deps = deps;
    this.#heardAt = this.#heartbeatAt = deps.now();
  }

  /** The frame of a visitor, checked; anything but HEARTBEAT. */
  protected abstract act(frame: ActionFrame, now: number): void;

  /** The server is done with this socket (called once): the visitor leaves what it was in. */
  protected abstract left(): void;

  /** Whether the server is done with this socket. */
  protected get done(): boolean {
    return this.#done;
  }

  /** Every incoming frame: within budget, text, well-formed. Nothing reaches PeerServer. */
  message(data: RawData, isBinary: boolean): void {
    if (this.#done) return;
    const now = this.deps.now();
    this.#heard(now);
    this.#frames -= 1;
    this.#bytes -= byteLength(data);
    if (this.#frames < 0) return this.end(CLOSE.policyViolation, "rate limit exceeded");
    if (this.#bytes < 0) return this.end(CLOSE.policyViolation, "byte rate limit exceeded");
    if (isBinary) return this.end(CLOSE.unsupportedData, "binary frames are not supported");
    const decoded = decodeClientFrame(data.toString());
    if (!decoded.ok) {
      this.reject(decoded.code, decoded.msg);
      if (++this.#strikes >= LIMITS.maxStrikes) this.end(CLOSE.policyViolation, "too many malformed frames");
      return;
    }
    if (decoded.frame.type === "HEARTBEAT") this.#heartbeatAt = now;
    else this.act(decoded.frame, now);
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
    this.#heard(this.deps.now());
    this.#acknowledged = this.#pingMark;
    this.#pingAt = -1;
  }

  /** ws closes the socket next (an oversized or invalid frame): the reason is only worth a debug line. */
  error(error: Error): void {
    this.deps.log.debug(`signaling socket error: ${error.message}`);
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
   * frame): the visitor leaves now, not when the close handshake ends, which
   * a vanished client never answers (ws waits 30 s). It is cut off after a
   * short grace.
   */
  closing(): void {
    if (!this.#finish()) return;
    const socket = this.socket;
    setTimeout(() => socket.terminate(), LIMITS.closeGraceMs).unref?.();
  }

  /** The socket is gone. */
  closed(): void {
    this.#finish();
  }

  /**
   * This visitor's new socket takes over: this one is cut off without
   * leaving (its close must not take the visitor out of matchmaking). False
   * if the server was done with it already.
   */
  protected yieldTo(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.socket.terminate();
    return true;
  }

  protected send(frame: ServerFrame): void {
    this.push(encodeFrame(frame));
  }

  protected reject(code: FrameErrorCode, msg: string): void {
    this.deps.metrics.rejectedFrame(code);
    this.send({ type: "REJECTED", payload: { code, msg } });
  }

  /** Cut off without a close frame: it would wait behind what the client is not reading. */
  #drop(reason: string): void {
    this.deps.log.info(`dropping ${this.id}: ${reason}`);
    this.#finish();
    this.socket.terminate();
  }

  /** Done with this socket, once; false if already. */
  #finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.left();
    return true;
  }

  #ping(now: number): void {
    this.#pingAt = now;
    this.#pingMark = this.#sent;
    this.socket.ping();
  }

  /** Heard from (a frame or a pong): the budgets refill for the time since it was last heard from. */
  #heard(now: number): void {
    const elapsed = (now - this.#heardAt) / 1000;
    this.#heardAt = now;
    this.#frames = Math.min(LIMITS.burstFrames, this.#frames + elapsed * LIMITS.framesPerSecond);
    this.#bytes = Math.min(LIMITS.burstBytes, this.#bytes + elapsed * LIMITS.bytesPerSecond);
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, chunk) => n + chunk.length, 0);
  return data.byteLength;
}
