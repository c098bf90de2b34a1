/**
 * The page's link to the server: get an identity, open the signaling socket,
 * reconnect with backoff when it drops (after Retry-After when rate-limited),
 * stop for good when refused, and wait out a ban. It owns the stranger model
 * and hands it what the server says about partners.
 *
 * Every socket event checks that its client is still the current one: a
 * dropped socket's late events must not touch the next socket's stranger.
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import type { Rejection, ReportReason } from "../../src/protocol/index.ts";
import { Banned, Blocked, type OpenSignaling, RateLimited, type RequestIdentity, type SignalingClient } from "../peer-client.ts";
import { createStrangerModel, type StrangerDeps, type StrangerModel } from "./stranger.ts";
import { CAPTION, TEXT } from "./text.ts";

export type ServerState = "connecting" | "connected" | "disconnected" | "blocked" | "banned";

export const RECONNECT_MAX_MS = 15_000;

export interface ConnectionDeps extends Omit<StrangerDeps, "client"> {
  readonly requestIdentity: RequestIdentity;
  readonly openSignaling: OpenSignaling;
  readonly now: () => number;
  readonly random: () => number;
  /** The server refused a report or a Next (the Next is retried here when it says when). */
  readonly rejected: (rejection: Rejection) => void;
}

export interface ConnectionModel
  extends Pick<StrangerModel, "peerState" | "remoteStream" | "strangerMedia" | "channel" | "canChat" | "tell" | "replaceTrack"> {
  readonly serverState: ReadonlySignal<ServerState>;
  /** The server's words when it refuses this visitor. */
  readonly blockedMessage: ReadonlySignal<string>;
  /** When a ban of this visitor ends (ms since the epoch); null unless banned. */
  readonly bannedUntil: ReadonlySignal<number | null>;
  /** The matched stranger's id, or null. */
  readonly strangerPeer: ReadonlySignal<string | null>;
  /** When the next reconnect is due (ms since the epoch); null unless waiting to reconnect. */
  readonly reconnectAt: ReadonlySignal<number | null>;
  readonly canNext: ReadonlySignal<boolean>;
  /** Laid over the stranger's video: why there is none, or why it is dark. */
  readonly strangerCaption: ReadonlySignal<string | null>;
  /** Identity, socket, then a stranger without a click. */
  connect(): Promise<void>;
  /** Leave this stranger (they are told) and find another. */
  next(): void;
  /** Reports `peer`; the server ends a current pair itself and finds another. */
  report(peer: string, reason: ReportReason): void;
  /** Leaves the current stranger without asking for another (after reporting them). */
  leave(): void;
  /** Stops everything: reconnects, the stranger's links, the socket. */
  dispose(): void;
}

/**
 * @example
 * const connection = createConnectionModel({ requestIdentity, openSignaling, localStream, events, ... });
 * void connection.connect();
 * connection.peerState.value; // "waiting", then "connecting", then "connected"
 */
export function createConnectionModel(deps: ConnectionDeps): ConnectionModel {
  const serverState = signal<ServerState>("connecting");
  const blockedMessage = signal("");
  const bannedUntil = signal<number | null>(null);
  const reconnectAt = signal<number | null>(null);
  const canNext = computed(() => serverState.value === "connected");
  let client: SignalingClient | null = null;
  let attempts = 0;
  let reconnectTimer: unknown;
  const stranger = createStrangerModel({ ...deps, client: () => client });
  const strangerCaption = computed(() => {
    switch (stranger.peerState.value) {
      case "idle":
        return serverState.value === "connected" ? null : CAPTION.connecting;
      case "waiting":
        return CAPTION.looking;
      case "connecting":
        return CAPTION.connecting;
    }
    const media = stranger.strangerMedia.value;
    if (media && !media.camera) return CAPTION.strangerNoCamera;
    if (media && !media.video) return CAPTION.strangerPaused;
    return null;
  });

  async function connect() {
    reconnectAt.value = null;
    serverState.value = "connecting";
    let identity;
    try {
      identity = await deps.requestIdentity();
    } catch (error) {
      if (error instanceof Blocked) return block(error.message);
      if (error instanceof Banned) return banned(error);
      return retry(error instanceof RateLimited ? error.retryAfterMs : 0);
    }
    const mine: SignalingClient = deps.openSignaling(identity, {
      open() {
        if (client !== mine) return;
        attempts = 0;
        serverState.value = "connected";
        stranger.find();
      },
      match({ peer, role }) {
        if (client === mine) stranger.matched(peer, role);
      },
      partnerLeft({ peer }) {
        if (client === mine) stranger.left(peer);
      },
      rejected(rejection) {
        if (client !== mine) return;
        // A Next the server would not take yet: the page looks again once it may.
        if (rejection.code === "rate_limited" && rejection.retryAfter) {
          deps.timers.set(() => client === mine && stranger.peerState.value === "waiting" && mine.find(), rejection.retryAfter * 1000);
        }
        deps.rejected(rejection);
      },
      connection(link) {
        if (client === mine) stranger.offered(link);
        else link.close();
      },
      call(link) {
        if (client === mine) stranger.called(link);
        else link.close();
      },
      closed() {
        if (client !== mine) return;
        client = null;
        mine.destroy();
        batch(() => {
          stranger.reset(TEXT.lost);
          serverState.value = "disconnected";
        });
        retry();
      },
    });
    client = mine;
  }

  function retry(atLeastMs = 0) {
    const delay = Math.max(atLeastMs, Math.min(RECONNECT_MAX_MS, 500 * 2 ** attempts++) * (0.75 + deps.random() / 2));
    batch(() => {
      serverState.value = "disconnected";
      reconnectAt.value = deps.now() + delay;
    });
    reconnectTimer = deps.timers.set(() => void connect(), delay);
  }

  function block(message: string) {
    client?.destroy();
    client = null;
    batch(() => {
      stranger.reset();
      serverState.value = "blocked";
      blockedMessage.value = message;
    });
  }

  /** Banned until `until`: say so, and come back by ourselves when it ends. */
  function banned({ message, until }: Banned) {
    batch(() => {
      stranger.reset();
      serverState.value = "banned";
      blockedMessage.value = message;
      bannedUntil.value = until;
    });
    // setTimeout holds at most ~24.8 days; a longer ban simply asks again then.
    reconnectTimer = deps.timers.set(() => {
      bannedUntil.value = null;
      void connect();
    }, Math.min(2 ** 31 - 1, Math.max(0, until - deps.now()) + 1000));
  }

  return {
    serverState,
    blockedMessage,
    bannedUntil,
    strangerPeer: stranger.peer,
    reconnectAt,
    canNext,
    strangerCaption,
    peerState: stranger.peerState,
    remoteStream: stranger.remoteStream,
    strangerMedia: stranger.strangerMedia,
    channel: stranger.channel,
    canChat: stranger.canChat,
    tell: stranger.tell,
    replaceTrack: stranger.replaceTrack,
    connect,

    next() {
      if (canNext.value) stranger.next();
    },

    report(peer, reason) {
      client?.report(peer, reason);
    },

    leave() {
      stranger.next(false);
    },

    dispose() {
      deps.timers.clear(reconnectTimer);
      stranger.dispose();
      client?.destroy();
      client = null;
    },
  };
}
