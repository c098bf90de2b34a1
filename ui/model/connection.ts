/**
 * The page's link to the server: get an identity, open the signaling socket,
 * reconnect with backoff when it drops (after Retry-After when rate-limited),
 * stop for good when refused, and wait out a ban. It owns the stranger model
 * and hands it what the server says about partners.
 *
 * A socket that drops during a call is reopened with the same identity
 * first, for up to RESUME_MS: the server lets the new socket take over the
 * old one and keeps the pair, so the call survives a network change. Only
 * then, or without a stranger, does the page start afresh with a new one.
 *
 * Every socket event checks that its client is still the current one: a
 * dropped socket's late events must not touch the next socket's stranger.
 *
 * An identity with TURN credentials is good until they expire: past its
 * renewal time, the next search for a stranger (or a search still waiting
 * then) reconnects with a fresh identity instead, so a call never starts on
 * credentials the relay would refuse.
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import type { RefusalCode, Rejection, ReportReason } from "../../src/protocol/index.ts";
import { Banned, Blocked, type OpenSignaling, RateLimited, type RequestIdentity, type SignalingClient } from "../peer-client.ts";
import { createStrangerModel, type StrangerDeps, type StrangerModel } from "./stranger.ts";
import { CAPTION, type CaptionKey, TEXT } from "./text.ts";

/** How long after a rate_limited refusal's retryAfter the page asks again. */
export const RETRY_MARGIN_MS = 250;

export type ServerState = "connecting" | "connected" | "disconnected" | "blocked" | "banned";

export const RECONNECT_MAX_MS = 15_000;
/** How long a dropped socket is reopened with the same identity, to keep a call: the server keeps an unanswering socket's pair ~12 s. */
export const RESUME_MS = 12_000;
/** Renew an identity this long before its TURN credentials expire (at most half their life), leaving time to wait and call. */
export const RENEW_BEFORE_MS = 10 * 60_000;

/** Why the server refused this visitor: the page says it in the visitor's language. */
export interface Refused {
  readonly code: RefusalCode;
  readonly country: string | null;
}

export interface ConnectionDeps extends Omit<StrangerDeps, "client"> {
  readonly requestIdentity: RequestIdentity;
  readonly openSignaling: OpenSignaling;
  readonly random: () => number;
  /** The server refused a report or a Next (the Next is retried here when it says when). */
  readonly rejected: (rejection: Rejection) => void;
}

export interface ConnectionModel extends
  Pick<
    StrangerModel,
    "peerState" | "remoteStream" | "strangerMedia" | "channel" | "call" | "canChat" | "tell" | "replaceTrack" | "reconnecting" | "quality"
  > {
  readonly serverState: ReadonlySignal<ServerState>;
  /** Why the server refused this visitor, once it has (a ban: until it ends). */
  readonly refused: ReadonlySignal<Refused | null>;
  /** When a ban of this visitor ends (ms since the epoch); null unless banned. */
  readonly bannedUntil: ReadonlySignal<number | null>;
  /** The matched stranger's id, or null. */
  readonly strangerPeer: ReadonlySignal<string | null>;
  /** When the next reconnect is due (ms since the epoch); null unless waiting to reconnect. */
  readonly reconnectAt: ReadonlySignal<number | null>;
  /** Visitors online, as the server last said; null until it has. */
  readonly online: ReadonlySignal<number | null>;
  readonly canNext: ReadonlySignal<boolean>;
  /** Laid over the stranger's video: why there is none, or why it is dark. */
  readonly strangerCaption: ReadonlySignal<CaptionKey | null>;
  /** Identity, socket, then a stranger without a click. */
  connect(): Promise<void>;
  /** Leave this stranger (they are told) and find another. */
  next(): void;
  /** Reports `peer`; the server ends a current pair itself and finds another. */
  report(peer: string, reason: ReportReason): void;
  /** Leaves the current stranger without asking for another (after reporting them). */
  leave(): void;
  /** What we ask for changed: while waiting, ask again with it. */
  refind(): void;
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
  const refused = signal<Refused | null>(null);
  const bannedUntil = signal<number | null>(null);
  const reconnectAt = signal<number | null>(null);
  const online = signal<number | null>(null);
  const canNext = computed(() => serverState.value === "connected");
  let client: SignalingClient | null = null;
  let attempts = 0;
  let reconnectTimer: unknown;
  /** While reopening a dropped socket with the same identity: until when. */
  let resumeUntil: number | null = null;
  let renewTimer: unknown;
  const stranger = createStrangerModel({ ...deps, client: () => client });
  const strangerCaption = computed((): CaptionKey | null => {
    if (deps.wish().textOnly) return CAPTION.textOnly;
    if (stranger.reconnecting.value) return CAPTION.reconnecting;
    switch (stranger.peerState.value) {
      case "idle":
        return serverState.value === "connected" ? null : CAPTION.connecting;
      case "waiting":
        return (deps.wish().interests?.length ?? 0) > 0 ? CAPTION.lookingShared : CAPTION.looking;
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
      if (error instanceof Blocked) return block(error);
      if (error instanceof Banned) return banned(error);
      return retry(() => void connect(), error instanceof RateLimited ? error.retryAfterMs : 0);
    }
    const { expiresIn } = identity;
    const renewAt = expiresIn === undefined ? Infinity : deps.now() + expiresIn * 1000 - Math.min(RENEW_BEFORE_MS, expiresIn * 500);
    const opened = deps.openSignaling(identity, {
      open() {
        if (client !== mine) return;
        attempts = 0;
        resumeUntil = null;
        batch(() => {
          reconnectAt.value = null;
          serverState.value = "connected";
        });
        // Back on the same identity with a stranger: the server repeats their MATCH, or says they left.
        if (!stranger.present()) stranger.find();
        if (renewAt === Infinity) return;
        deps.timers.clear(renewTimer);
        renewTimer = deps.timers.set(() => {
          if (client === mine && stranger.peerState.value === "waiting") renew();
        }, renewAt - deps.now());
      },
      match({ peer, role, interests }) {
        if (client === mine) stranger.matched(peer, role, interests);
      },
      partnerLeft({ peer }) {
        if (client === mine) stranger.left(peer);
      },
      rejected(rejection) {
        if (client !== mine) return;
        // A Next the server would not take yet: the page looks again once it may.
        if (rejection.code === "rate_limited" && rejection.retryAfter) {
          // A little after: retryAfter is rounded, and a refusal at its very edge would only wait again.
          deps.timers.set(() => client === mine && stranger.peerState.value === "waiting" && mine.find(deps.wish()), rejection.retryAfter * 1000 + RETRY_MARGIN_MS);
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
      online(count) {
        if (client === mine) online.value = count;
      },
      restart(restart) {
        if (client === mine) stranger.restarted(restart);
      },
      closed() {
        if (client !== mine) return;
        if (stranger.present()) resumeUntil ??= deps.now() + RESUME_MS;
        if (stranger.present() && deps.now() < resumeUntil!) return retry(() => mine.reconnect());
        resumeUntil = null;
        client = null;
        mine.destroy();
        batch(() => {
          stranger.reset(TEXT.lost);
          serverState.value = "disconnected";
        });
        retry(() => void connect());
      },
    });
    const mine: SignalingClient = {
      find: (wish) => deps.now() < renewAt ? opened.find(wish) : renew(),
      report: (peer, reason) => opened.report(peer, reason),
      connect: (peer) => opened.connect(peer),
      call: (peer, stream) => opened.call(peer, stream),
      restart: (restart) => opened.restart(restart),
      reconnect: () => opened.reconnect(),
      destroy() {
        deps.timers.clear(renewTimer);
        opened.destroy();
      },
    };
    client = mine;
  }

  /** A fresh identity, hence fresh TURN credentials: the old socket goes (leaving any queue), a new one comes. */
  function renew() {
    client?.destroy();
    client = null;
    void connect();
  }

  /** `action` after a backoff (at least `atLeastMs`: a rate limit's Retry-After). */
  function retry(action: () => void, atLeastMs = 0) {
    const delay = Math.max(atLeastMs, Math.min(RECONNECT_MAX_MS, 500 * 2 ** attempts++) * (0.75 + deps.random() / 2));
    batch(() => {
      serverState.value = "disconnected";
      reconnectAt.value = deps.now() + delay;
    });
    deps.timers.clear(reconnectTimer);
    reconnectTimer = deps.timers.set(action, delay);
  }

  function block(error: Blocked) {
    client?.destroy();
    client = null;
    batch(() => {
      stranger.reset();
      serverState.value = "blocked";
      refused.value = { code: error.code, country: error.country };
    });
  }

  /** Banned until `until`: say so, and come back by ourselves when it ends. */
  function banned({ until }: Banned) {
    batch(() => {
      stranger.reset();
      serverState.value = "banned";
      refused.value = { code: "banned", country: null };
      bannedUntil.value = until;
    });
    // setTimeout holds at most ~24.8 days; a longer ban simply asks again then.
    deps.timers.clear(reconnectTimer);
    reconnectTimer = deps.timers.set(() => {
      batch(() => {
        refused.value = null;
        bannedUntil.value = null;
      });
      void connect();
    }, Math.min(2 ** 31 - 1, Math.max(0, until - deps.now()) + 1000));
  }

  return {
    serverState,
    refused,
    bannedUntil,
    strangerPeer: stranger.peer,
    reconnectAt,
    online,
    canNext,
    strangerCaption,
    peerState: stranger.peerState,
    remoteStream: stranger.remoteStream,
    strangerMedia: stranger.strangerMedia,
    channel: stranger.channel,
    call: stranger.call,
    canChat: stranger.canChat,
    reconnecting: stranger.reconnecting,
    quality: stranger.quality,
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

    refind() {
      if (client && serverState.value === "connected" && stranger.peerState.value === "waiting") stranger.find();
    },

    dispose() {
      deps.timers.clear(reconnectTimer);
      stranger.dispose();
      client?.destroy();
      client = null;
    },
  };
}
