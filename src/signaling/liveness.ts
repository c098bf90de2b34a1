/**
 * Whether a socket is alive and keeps up: when it was last heard from, its
 * PeerJS heartbeats, and how much of what was sent to it it has not yet
 * acknowledged (a pong to a ping sent after those bytes proves they were
 * read). LIMITS says how long is too long and how much is too much.
 */
import { LIMITS } from "./limits.ts";

export class Liveness {
  #heardAt: number;
  #heartbeatAt: number;
  /** When the outstanding ping was sent, or -1; and how many bytes had been sent then. */
  #pingAt = -1;
  #pingMark = 0;
  #sent = 0;
  #acknowledged = 0;

  constructor(now: number) {
    this.#heardAt = this.#heartbeatAt = now;
  }

  heard(now: number): void {
    this.#heardAt = now;
  }

  heartbeat(now: number): void {
    this.#heartbeatAt = now;
  }

  /** Counts bytes about to be sent; returns how many are unread with them. */
  sending(bytes: number): number {
    this.#sent += bytes;
    return this.#sent - this.#acknowledged;
  }

  /** Whether to ask for an acknowledgement now, with this much unread. */
  wantsPing(unread: number): boolean {
    return this.#pingAt < 0 && unread > LIMITS.pingUnreadBytes;
  }

  pinged(now: number): void {
    this.#pingAt = now;
    this.#pingMark = this.#sent;
  }

  /** The answer to our ping: everything sent before it has been read. */
  ponged(now: number): void {
    this.#heardAt = now;
    this.#acknowledged = this.#pingMark;
    this.#pingAt = -1;
  }

  /** The once-a-second look: dead (no pong in time), due a ping (quiet), or fine. */
  check(now: number): "dead" | "ping" | null {
    if (this.#pingAt >= 0) return now - this.#pingAt > LIMITS.pongTimeoutMs ? "dead" : null;
    return now - this.#heardAt > LIMITS.pingAfterMs ? "ping" : null;
  }

  heartbeatLate(now: number): boolean {
    return now - this.#heartbeatAt > LIMITS.heartbeatTimeoutMs;
  }
}
