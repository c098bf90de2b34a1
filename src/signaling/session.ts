/**
 * One visitor's signaling socket: checks each frame before PeerServer sees
 * it, runs match commands in order, and tracks the partner so that signaling
 * goes only to the current (or, for LEAVE, the just-left) partner.
 */
import type { RawData } from "ws";
import type { Logger } from "../log.ts";
import type { MatchEvent } from "../matchmaker/core.ts";
import type { MatchStore } from "../matchmaker/store.ts";
import type { SocketOwner } from "./peer-server.ts";
import { encode, type FrameErrorCode, parseFrame, type ServerFrame } from "./protocol.ts";

/** What a session needs of its socket: ws's WebSocket satisfies it. */
export interface FrameSocket {
  send(data: string): void;
  close(code: number, reason: string): void;
}

export interface SessionDeps {
  readonly store: MatchStore;
  /** The socket closed: drop this session from the registry. */
  readonly forget: (session: Session) => void;
  /** Hands the events of a command to the sessions they are for. */
  readonly deliver: (events: readonly MatchEvent[]) => void;
  readonly now: () => number;
  readonly log: Logger;
}

/** Frames a socket may send at once, and per second after that. */
const BURST = 100;
const RATE_PER_S = 50;
/** Malformed frames tolerated before the socket is closed. */
const MAX_STRIKES = 5;

export const CLOSE = {
  unsupportedData: 1003,
  policyViolation: 1008,
  goingAway: 1001,
} as const;

const IDLE: Promise<unknown> = Promise.resolve();

export class Session implements SocketOwner {
  partner: string | null = null;
  /** The partner before this one: may still receive our LEAVE. */
  previous: string | null = null;
  #tokens = BURST;
  #refilledAt: number;
  #strikes = 0;
  #commands: Promise<unknown> = IDLE;
  #closed = false;

  readonly id: string;
  readonly socket: FrameSocket;
  readonly deps: SessionDeps;

  constructor(id: string, socket: FrameSocket, deps: SessionDeps) {
    this.id = id;
    this.socket = socket;
    this.deps = deps;
    this.#refilledAt = deps.now();
  }

  /** Called for every incoming frame; true passes it on to PeerServer. */
  accept(data: RawData, isBinary: boolean): boolean {
    if (this.#closed) return false;
    if (!this.#take()) return this.#close(CLOSE.policyViolation, "rate limit exceeded");
    if (isBinary) return this.#close(CLOSE.unsupportedData, "binary frames are not supported");
    const frame = parseFrame(data.toString());
    switch (frame.kind) {
      case "heartbeat":
        return true;
      case "relay":
        if (frame.dst === this.partner || (frame.type === "LEAVE" && frame.dst === this.previous)) return true;
        this.deps.log.debug(`dropped ${frame.type} from ${this.id} to non-partner ${frame.dst}`);
        this.#reject("not_partner", `${frame.type} dropped: ${frame.dst} is not your partner.`);
        return false;
      case "find":
        this.#leavePartner();
        this.#run(() => this.deps.store.find(this.id, frame.pool, this.deps.now()));
        return false;
      case "stop":
        this.#leavePartner();
        this.#run(() => this.deps.store.stop(this.id, this.deps.now()));
        return false;
      case "bad":
        this.#reject(frame.code, frame.msg);
        if (++this.#strikes >= MAX_STRIKES) this.#close(CLOSE.policyViolation, "too many malformed frames");
        return false;
    }
  }

  /** A matchmaker event addressed to this visitor. */
  receive(event: MatchEvent): void {
    switch (event.type) {
      case "waiting":
        return this.#send({ type: "WAITING", payload: { pool: event.pool } });
      case "matched":
        this.#leavePartner();
        this.partner = event.partner;
        return this.#send({ type: "MATCH", payload: { peer: event.partner, role: event.role, pool: event.pool } });
      case "partner-left":
        // A stale notice (we have moved on already) must not clear the new partner.
        if (this.partner === event.partner) this.#leavePartner();
        return this.#send({ type: "PARTNER-LEFT", payload: { peer: event.partner, reason: event.reason } });
    }
  }

  /** The socket closed: dissolve the pair after any command still running. */
  closed(): void {
    this.#closed = true;
    this.deps.forget(this);
    void this.#run(() => this.deps.store.disconnect(this.id, this.deps.now()));
  }

  #leavePartner(): void {
    if (this.partner === null) return;
    this.previous = this.partner;
    this.partner = null;
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

  #take(): boolean {
    const now = this.deps.now();
    this.#tokens = Math.min(BURST, this.#tokens + ((now - this.#refilledAt) / 1000) * RATE_PER_S);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #reject(code: FrameErrorCode, msg: string): void {
    this.#send({ type: "REJECTED", payload: { code, msg } });
  }

  #send(frame: ServerFrame): void {
    if (!this.#closed) this.socket.send(encode(frame));
  }

  #close(code: number, reason: string): false {
    this.deps.log.info(`closing ${this.id}: ${reason}`);
    this.#closed = true;
    this.socket.close(code, reason);
    return false;
  }
}
