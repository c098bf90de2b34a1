/**
 * Keeps a call with one stranger alive through a network change (Wi-Fi to
 * mobile data): when a connection that was up goes "disconnected" or
 * "failed", the caller restarts its ICE with a RESTART offer through the
 * signaling server, again every RESTART_EVERY_MS until it is back (an offer
 * may be lost while a socket reconnects), and the callee answers. Only if the
 * connections are not all back within GIVE_UP_MS does it give up.
 *
 * Why the signaling server and not the data channel: the data channel runs
 * over the very ICE connection that broke, so it cannot carry the repair;
 * the signaling socket reconnects on the new network by itself.
 */
import type { Role } from "../../src/protocol/index.ts";
import type { Restart } from "../peer-client.ts";
import type { IceLink } from "../peer-links.ts";
import type { Timers } from "./timers.ts";

/** "disconnected" often clears by itself within a second or two (a burst of loss): wait that long first. */
export const RESTART_AFTER_MS = 1500;
export const RESTART_EVERY_MS = 4000;
export const GIVE_UP_MS = 20_000;
const CHECK_EVERY_MS = 500;

export interface KeeperDeps {
  readonly role: Role;
  /** Sends a restart description to the stranger (the peer is the stranger's). */
  readonly send: (restart: Omit<Restart, "peer">) => void;
  readonly timers: Timers;
  readonly now: () => number;
  /** Trouble began (true) or is over (false). */
  readonly trouble: (on: boolean) => void;
  readonly giveUp: () => void;
}

export interface IceKeeper {
  /** Watches a link: returns the handler for its ICE states. */
  keep(link: IceLink): (state: RTCIceConnectionState) => void;
  /** A RESTART from the stranger for one of our links. */
  received(restart: Restart): void;
  stop(): void;
}

interface Kept {
  readonly link: IceLink;
  state: RTCIceConnectionState;
  /** It has been up once: only then is a drop trouble (the first connection has its own timeout). */
  wasUp: boolean;
  offeredAt: number;
}

/**
 * @example
 * const keeper = createIceKeeper({ role: "caller", send, timers, now, trouble, giveUp });
 * link.handle({ ice: keeper.keep(link) });
 */
export function createIceKeeper({ role, send, timers, now, trouble, giveUp }: KeeperDeps): IceKeeper {
  const kept = new Map<string, Kept>();
  let since: number | null = null;
  let timer: unknown;
  let stopped = false;

  const troubled = () => [...kept.values()].filter((k) => k.wasUp && k.state !== "connected" && k.state !== "completed" && k.state !== "closed");

  function changed() {
    if (stopped) return;
    if (troubled().length === 0) {
      if (since === null) return;
      since = null;
      timers.clear(timer);
      trouble(false);
      return;
    }
    if (since !== null) return;
    since = now();
    trouble(true);
    check();
  }

  function check() {
    if (stopped || since === null) return;
    const at = now();
    if (at - since >= GIVE_UP_MS) {
      stop();
      giveUp();
      return;
    }
    if (role === "caller") {
      for (const k of troubled()) {
        const due = k.state === "failed" || at - since >= RESTART_AFTER_MS;
        if (due && at - k.offeredAt >= RESTART_EVERY_MS) {
          k.offeredAt = at;
          void offer(k);
        }
      }
    }
    timers.clear(timer);
    timer = timers.set(check, CHECK_EVERY_MS);
  }

  async function offer(k: Kept) {
    const sdp = await k.link.restartOffer();
    if (sdp && !stopped) send({ connectionId: k.link.connectionId, kind: k.link.kind, sdp });
  }

  function stop() {
    stopped = true;
    timers.clear(timer);
  }

  return {
    keep(link) {
      const k: Kept = { link, state: "new", wasUp: false, offeredAt: -Infinity };
      kept.set(link.connectionId, k);
      return (state) => {
        k.state = state;
        if (state === "connected" || state === "completed") k.wasUp = true;
        changed();
      };
    },

    received({ connectionId, sdp }) {
      const k = kept.get(connectionId);
      if (!k || stopped) return;
      if (sdp.type === "answer" && role === "caller") return k.link.acceptAnswer(sdp);
      if (sdp.type !== "offer" || role !== "callee") return;
      void k.link.answerRestart(sdp).then((answer) => {
        if (answer && !stopped) send({ connectionId, kind: k.link.kind, sdp: answer });
      });
    },

    stop,
  };
}
