/**
 * One visitor's signaling socket: runs its match commands in order, relays
 * signaling only to the current (or, for LEAVE, the just-left) partner, files
 * its reports, and tells it what the matchmaker decided; a later socket of the
 * same visitor takes over from it. What the socket may send, whether it is
 * alive and how it ends is SocketKeeper's (socket-keeper.ts); what it may do
 * about strangers (Next's budget, reports) is conduct.ts's.
 * docs/PROTOCOL.md §3–§6 state every rule and limit below.
 */
import type { MatchEvent } from "../matchmaker/core.ts";
import { type Resumed, StoreUnavailable } from "../matchmaker/store.ts";
import { Refusal } from "../refusal.ts";
import { CLOSE, LIMITS } from "./limits.ts";
import type { SocketOwner } from "./peer-server.ts";
import type { FrameSocket, SessionDeps } from "./session-deps.ts";
import { type ActionFrame, SocketKeeper } from "./socket-keeper.ts";
import { Conduct, fileReport } from "./conduct.ts";
import { encodeFrame, type Rejection, type RelayType, type ServerFrame, type Wish } from "../protocol/index.ts";

export type { FrameSocket, SessionDeps };

/** PeerServer's greeting, which peerjs waits for. */
const OPEN = encodeFrame({ type: "OPEN" });

export class Session extends SocketKeeper<SessionDeps> implements SocketOwner {
  partner: string | null = null;
  /** The partner before this one: may still receive our LEAVE. */
  previous: string | null = null;
  /** What it asked for and is not paired by yet; null when idle or paired (resync() asks again). */
  seeking: Wish | null = null;
  /** What it last asked for with FIND: where a report of the partner looks for the next one. */
  wish: Wish | null = null;
  /**
   * Whom it met lately and how often it pressed Next: what reports and the
   * Next limit go by. Made at its first match (Next and reports need a
   * partner first): an idle visitor holds none (96 bytes less, heap snapshot).
   * It outlives the socket for a while (kept-conducts.ts).
   */
  #conduct: Conduct | null = null;
  /** The last MATCH while paired, or PARTNER-LEFT since: what a socket that takes over may have missed. */
  #news: ServerFrame | null = null;
  /** The online count last told, and when. */
  #toldOnline = -1;
  #toldOnlineAt = -Infinity;
  /** When this visitor asked for a partner and has not had one since; null when it is not looking. */
  #findAt: number | null = null;
  /**
   * Claims sent and not answered yet (resumed), a replaced session's too:
   * only the last answer counts, and a moved() before it is older than this
   * socket (the store answers in order).
   */
  #claims = 0;
  /** It has sent FIND or STOP since its last claim: that claim's answer is older than that. */
  #asked = false;
  /** The visitor sent FIND or STOP, knowing no partner, since its last claim: one the claim brings was left by it. */
  #askedAlone = false;
  /**
   * Closed for a reason that is not the visitor's: another process took it
   * (moved()), or the server's store failed, a bug, a shutdown (end()). Its
   * partner is not left by the visitor's choice then, and costs no Next.
   */
  #notTheirs = false;
  /** The visitor's address key (src/safety/address-key.ts). */
  readonly address: string;

  /**
   * `replaces`: this visitor's earlier session, whose socket this one takes
   * over (a page back from a network change, with the same id and token):
   * unless that one has left matchmaking already, its partner and its place
   * are kept, and its pending commands run before ours (deps.serial orders them per id).
   */
  constructor(id: string, socket: FrameSocket, deps: SessionDeps, address = "", replaces?: Session) {
    super(id, socket, deps);
    this.address = address;
    if (replaces?.yieldTo()) {
      deps.log.info(`${id} reconnected: its new socket takes over`);
      this.partner = replaces.partner;
      this.previous = replaces.previous;
      this.seeking = replaces.seeking;
      this.wish = replaces.wish;
      // Its Next budget goes with the visitor, not the socket (a reconnect must not reset it); whom it met, with its address.
      this.#conduct = replaces.#conduct?.forAddress(address) ?? null;
      // From another address: the call goes on, so its stranger may be reported from here too.
      if (this.partner !== null && replaces.address !== address) this.#met().paired(this.partner, deps.now());
      this.#news = replaces.#news;
      this.#findAt = replaces.#findAt;
      this.#claims = replaces.#claims;
    } else {
      // Back after its socket closed: its budget (and, from the same address, whom it met) come back too.
      this.#conduct = deps.kept.take(id, address, deps.now());
    }
  }

  /**
   * Greets the socket, and, if it took over, repeats what the old socket may
   * have missed: the MATCH of the current partner, or that the partner left.
   */
  greet(): void {
    this.push(OPEN);
    if (this.#news) this.send(this.#news);
  }

  /** Tells the visitor how many are online: when it changes, at most every LIMITS.onlineEveryMs. */
  tellOnline(count: number, now: number): void {
    if (this.done || count === this.#toldOnline || now - this.#toldOnlineAt < LIMITS.onlineEveryMs) return;
    this.#toldOnline = count;
    this.#toldOnlineAt = now;
    this.send({ type: "ONLINE", payload: { count } });
  }

  /**
   * Takes this visitor over from another process that may hold it (shared
   * stores; the store answers through resumed() and the other process's moved()).
   */
  claim(): void {
    this.#claims++;
    this.#asked = false;
    this.#askedAlone = false;
    this.#run(() => this.deps.store.claim!(this.id, this.deps.now()));
  }

  /**
   * Its claim is done: the store's partner for it is kept (signaling between
   * them goes on) with what it asked for, unless it has asked for something
   * since or knows a partner already; one who left it while its socket was
   * away is told of, as a takeover here repeats PARTNER-LEFT (the store no
   * longer knows why: "disconnect").
   */
  resumed({ partner, left, wish }: Resumed): void {
    this.#claims = Math.max(0, this.#claims - 1);
    // A FIND or STOP sent before this answer, with a partner the store had moved here: it left them, unasked.
    if (this.#claims === 0 && this.#askedAlone && partner !== "" && !this.done) this.#met().leftUnasked(this.deps.now());
    if (this.#claims > 0 || this.#asked || this.partner !== null || this.done) return;
    if (partner !== "") {
      this.deps.log.info(`${this.id} came back from another process: its partner is kept`);
      this.partner = partner;
      this.wish ??= wish;
      this.#met().paired(partner, this.deps.now());
    } else if (left !== "" && this.#news === null) {
      this.send({ type: "PARTNER-LEFT", payload: { peer: left, reason: "disconnect" } });
    }
  }

  /**
   * The visitor's socket opened on another process after this one did: this
   * one is cut off. Its disconnect still reaches the store, which ignores it
   * unless a command of this socket's took the visitor back meanwhile (then
   * it must go, or the store would keep a visitor with no socket).
   */
  moved(): void {
    if (this.#claims > 0 || this.done) return; // a claim older than this socket's own
    this.deps.log.info(`${this.id} reconnected to another process: its socket here is closed`);
    this.#notTheirs = true;
    this.socket.terminate();
  }

  /** Closes the socket; for the server's own reasons, leaving the partner so is not counted against the visitor. */
  override end(code: number, reason: string): void {
    if (code === CLOSE.tryAgainLater || code === CLOSE.internalError || code === CLOSE.goingAway) this.#notTheirs = true;
    super.end(code, reason);
  }

  /** A checked frame: match commands, reports, and signaling for the partner. */
  protected act(frame: ActionFrame, now: number): void {
    switch (frame.type) {
      case "FIND": {
        // Next while paired; while not, only a partner left unasked and not paid for yet can refuse it.
        if (this.#refused(this.partner !== null ? this.#met().next(now) : this.#conduct?.settle(now) ?? null)) return;
        let wish = frame.payload;
        if (wish.preferences !== null && !this.deps.preferences) {
          wish = { ...wish, preferences: null };
          this.reject("preferences_off", "This server does not filter by gender (it runs without --preferences): preferences ignored.");
        }
        // Asking again while waiting keeps one's place, and so one's wait.
        if (this.partner !== null || this.#findAt === null) this.#findAt = now;
        this.#askedAlone ||= this.partner === null;
        this.#leavePartner();
        this.seeking = this.wish = wish;
        this.#asked = true;
        this.#run(() => this.deps.store.find(this.id, wish, this.deps.now(), this.address));
        return;
      }
      case "STOP":
        if (this.partner !== null && this.#refused(this.#met().next(now))) return;
        this.#findAt = null;
        this.#askedAlone ||= this.partner === null;
        this.#leavePartner();
        this.seeking = null;
        this.#asked = true;
        this.#run(() => this.deps.store.stop(this.id, this.deps.now()));
        return;
      case "REPORT": {
        // Of the partner (which ends the pair, like Next) or of one who left within the last minute.
        const conduct = this.#met();
        const target = conduct.report(frame.payload.peer, now);
        if (this.#refused(target)) return;
        const current = target.peer === this.partner;
        // Leaving the partner so is never refused, but costs a Next: past the budget, the next
        // stranger is not looked for until the budget allows, and the page is told when.
        const wait = current ? conduct.leftUnasked(now) : null;
        const look = current && wait === null;
        if (current) {
          this.#findAt = look ? now : null; // the server looks for the next stranger, as for Next
          this.#leavePartner();
          this.seeking = look ? this.wish : null;
        }
        this.#run(async () => {
          try {
            await fileReport(this.deps, this, { ...target, current, look }, frame.payload.reason);
          } catch (error) {
            conduct.unreport(target.peer); // not filed: it may be sent again
            throw error;
          }
          this.#refused(wait);
        });
        return;
      }
      default:
        if (this.#mayReach(frame.dst, frame.type)) {
          // Only what the decoder checked is relayed, with `src` ours.
          return this.deps.relay(this.id, frame.dst, frame.type, encodeFrame({ ...frame, src: this.id }));
        }
        this.deps.log.debug(`dropped ${frame.type} from ${this.id} to non-partner ${frame.dst}`);
        return this.reject("not_partner", `${frame.type} dropped: ${frame.dst} is not your partner.`);
    }
  }

  /** A matchmaker event addressed to this visitor. */
  receive(event: MatchEvent): void {
    switch (event.type) {
      case "waiting":
        return this.send({ type: "WAITING", payload: { pool: event.pool } });
      case "matched":
        if (this.#findAt !== null) this.deps.metrics.waited(event.pool, this.deps.now() - this.#findAt);
        this.#findAt = null;
        this.#leavePartner();
        this.partner = event.partner;
        this.seeking = null;
        this.#met().paired(event.partner, this.deps.now());
        this.#news = matchFrame(event);
        return this.send(this.#news);
      case "partner-left": {
        const left: ServerFrame = { type: "PARTNER-LEFT", payload: { peer: event.partner, reason: event.reason } };
        // A stale notice (we have moved on already) must not clear the new partner.
        if (this.partner === event.partner) {
          this.#leavePartner();
          this.#news = left;
        }
        return this.send(left);
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
    if (this.done) return;
    // Its claim's answer may be what was missed: claim again, then as below.
    if (this.#claims > 0) {
      this.#claims = 0;
      this.claim();
    }
    if (this.partner !== null) {
      this.receive({ type: "partner-left", to: this.id, partner: this.partner, reason: "disconnect" });
      this.#asked = true;
      this.#run(() => this.deps.store.stop(this.id, this.deps.now()));
    } else if (this.seeking !== null) {
      this.#asked = true;
      const wish = this.seeking;
      this.#run(() => this.deps.store.find(this.id, wish, this.deps.now(), this.address));
    }
  }

  /** The socket is gone. */
  override closed(): void {
    this.deps.forget(this);
    super.closed();
  }

  /**
   * Leaves matchmaking, the moment the server is done with the socket. Its
   * conduct is kept for its next socket; leaving a partner so costs a Next.
   */
  protected left(): void {
    const now = this.deps.now();
    if (this.partner !== null) {
      const conduct = this.#met();
      conduct.parted(this.partner, now);
      if (!this.#notTheirs) conduct.leftUnasked(now);
    }
    if (this.#conduct) this.deps.kept.keep(this.id, this.#conduct, now);
    this.#run(() => this.deps.store.disconnect(this.id, this.deps.now()));
  }

  #met(): Conduct {
    return this.#conduct ??= new Conduct(this.deps.safety, this.address);
  }

  #leavePartner(): void {
    if (this.partner === null) return;
    this.#met().parted(this.partner, this.deps.now());
    this.previous = this.partner;
    this.partner = null;
    this.#news = null;
  }

  /** Sends the refusal, if there is one. */
  #refused<T extends object>(outcome: T | Rejection | null): outcome is Rejection {
    if (outcome === null || !("code" in outcome)) return false;
    this.deps.metrics.rejectedFrame(outcome.code);
    this.send({ type: "REJECTED", payload: outcome });
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
}

function matchFrame({ partner: peer, role, pool, interests }: Extract<MatchEvent, { type: "matched" }>): ServerFrame {
  return { type: "MATCH", payload: interests ? { peer, role, pool, interests } : { peer, role, pool } };
}
