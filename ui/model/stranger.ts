/**
 * The one stranger the visitor is paired with: the data channel and call to
 * them, what they send, keeping the call through a network change (ICE
 * restarts, ice-keeper.ts), its quality, and giving up on them (no answer, a
 * lost channel). The connection model drives it from the server's events.
 *
 * One partner at a time: every link and callback belongs to a `Stranger`;
 * anything from an earlier stranger, or from a peer that is not the matched
 * partner, is closed or ignored.
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import type { FindPayload, Role } from "../../src/protocol/index.ts";
import type { Restart, SignalingClient } from "../peer-client.ts";
import type { CallLink, DataLink } from "../peer-links.ts";
import { type ChatMessage, decodePeerMessage, type MediaMessage, type PeerMessage } from "../peer-messages.ts";
import { createIceKeeper, type IceKeeper } from "./ice-keeper.ts";
import { createQualityModel, type QualityLevel } from "./quality.ts";
import { type NoticeKey, TEXT } from "./text.ts";
import type { Timers } from "./timers.ts";

export type PeerState = "idle" | "waiting" | "connecting" | "connected";
/** What the stranger says they send: have they a camera/microphone, and are they on. */
export type StrangerMedia = Omit<MediaMessage, "t">;

/** How long a matched stranger may take to connect before we move on. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** After the data channel closes without word from the server, assume the stranger left. */
export const CLOSE_GRACE_MS = 2_000;

/** What the rest of the page hears as strangers come and go (the chat, in practice). */
export interface StrangerEvents {
  /** A line from the page itself ("Stranger has left."). */
  notice(key: NoticeKey, args?: readonly string[]): void;
  heard(message: ChatMessage): void;
  /** Moving on to a new stranger: what was said to the last one goes. */
  fresh(): void;
  /** The stranger is gone, whoever ended it. */
  gone(): void;
}

export interface StrangerDeps {
  /** The signaling client now open, if any: it finds strangers and reaches them. */
  readonly client: () => SignalingClient | null;
  /** What we send the stranger: our camera and microphone. */
  readonly localStream: MediaStream;
  readonly maxMessageLength: number;
  readonly events: StrangerEvents;
  readonly timers: Timers;
  readonly now: () => number;
  /** What FIND asks for, now. */
  readonly wish: () => FindPayload;
}

export interface StrangerModel {
  readonly peerState: ReadonlySignal<PeerState>;
  /** The matched stranger's id, from MATCH until they are gone. */
  readonly peer: ReadonlySignal<string | null>;
  readonly remoteStream: ReadonlySignal<MediaStream | null>;
  /** Null until the stranger says. */
  readonly strangerMedia: ReadonlySignal<StrangerMedia | null>;
  /** The stranger's data channel, once it is open. */
  readonly channel: ReadonlySignal<DataLink | null>;
  /** The call with the stranger, once their media arrives. */
  readonly call: ReadonlySignal<CallLink | null>;
  readonly canChat: ReadonlySignal<boolean>;
  /** The connection dropped and is being restarted. */
  readonly reconnecting: ReadonlySignal<boolean>;
  readonly quality: ReadonlySignal<QualityLevel | null>;
  /** Whether there is a stranger (matched, connecting or connected). */
  present(): boolean;
  /** Ask the server for a stranger. */
  find(): void;
  matched(peer: string, role: Role, interests?: readonly string[]): void;
  /** A data channel or call came in: kept if it is from the stranger and the first of its kind. */
  offered(link: DataLink): void;
  called(link: CallLink): void;
  /** The stranger restarts ICE, or answers our restart. */
  restarted(restart: Restart): void;
  left(peer: string): void;
  /** Leave this stranger (the server tells them) and find another; `ask` false when the server looks itself (a report). */
  next(ask?: boolean): void;
  /** No server any more: no stranger, no search; `notice` is said if there was a stranger. */
  reset(notice?: NoticeKey): void;
  /** Sends to the stranger, if there is one. */
  tell(message: PeerMessage): void;
  /** Puts a new outgoing track into the live call without renegotiating. */
  replaceTrack(track: MediaStreamTrack): void;
  dispose(): void;
}

/** One matched stranger: the links to them, the interests both share, and the timer that gives up on them. */
interface Stranger {
  readonly peer: string;
  readonly role: Role;
  readonly interests: readonly string[];
  readonly keeper: IceKeeper;
  data?: DataLink;
  call?: CallLink;
  timer?: unknown;
}

/**
 * @example
 * const stranger = createStrangerModel({ client: () => signaling, localStream, maxMessageLength: 1000, events, timers, now, wish });
 * stranger.matched("peer-id", "caller"); // opens the data channel and the call
 */
export function createStrangerModel(deps: StrangerDeps): StrangerModel {
  const { client, localStream, maxMessageLength, events, timers, now, wish } = deps;
  const peerState = signal<PeerState>("idle");
  const remoteStream = signal<MediaStream | null>(null);
  const strangerMedia = signal<StrangerMedia | null>(null);
  const channel = signal<DataLink | null>(null);
  const strangerId = signal<string | null>(null);
  const reconnecting = signal(false);
  const call = signal<CallLink | null>(null);
  const canChat = computed(() => peerState.value === "connected");
  const quality = createQualityModel(timers);
  let stranger: Stranger | null = null;

  function find() {
    client()?.find(wish());
    peerState.value = "waiting";
  }

  function wireData(s: Stranger, link: DataLink) {
    link.handle({
      open() {
        if (stranger !== s) return;
        timers.clear(s.timer);
        peerState.value = "connected";
        events.notice(TEXT.connected);
        if (s.interests.length > 0) events.notice(TEXT.bothLike, [s.interests.join(", ")]);
        channel.value = link;
        const measured = s.call ?? link;
        quality.watch(() => measured.stats(), () => s.call !== undefined && strangerMedia.value?.video === true);
      },
      data(data) {
        if (stranger === s) fromStranger(decodePeerMessage(data, maxMessageLength));
      },
      close() {
        // The server's PARTNER-LEFT normally comes first; this covers a lost path.
        if (stranger !== s) return;
        timers.clear(s.timer);
        s.timer = timers.set(() => stranger === s && gone(TEXT.left), CLOSE_GRACE_MS);
      },
      ice: s.keeper.keep(link),
    });
  }

  function wireCall(s: Stranger, link: CallLink) {
    link.handle({
      stream(remote) {
        if (stranger !== s) return;
        remoteStream.value = remote;
        call.value = link;
      },
      ice: s.keeper.keep(link),
    });
  }

  function fromStranger(message: PeerMessage | null) {
    if (!message) return;
    if (message.t === "media") {
      const { camera, video, microphone, audio } = message;
      strangerMedia.value = { camera, video, microphone, audio };
    } else {
      events.heard(message);
    }
  }

  /**
   * Forget the current stranger; the caller decides what to say. Their links
   * stop counting at once (every callback checks `stranger`), and are closed
   * in a moment, so that after Next the new stranger's MATCH is handled first.
   */
  function end() {
    const s = stranger;
    stranger = null;
    if (s) {
      timers.clear(s.timer);
      s.keeper.stop();
      timers.set(() => {
        s.data?.close();
        s.call?.close();
      }, 0);
    }
    quality.stop();
    batch(() => {
      channel.value = null;
      call.value = null;
      remoteStream.value = null;
      strangerMedia.value = null;
      strangerId.value = null;
      reconnecting.value = false;
      events.gone();
    });
    return s !== null;
  }

  function gone(text: NoticeKey) {
    end();
    events.notice(text);
    find();
  }

  /** The stranger, if the link is theirs and the first of its kind; else the link is closed. */
  function welcome(link: DataLink | CallLink, kind: "data" | "call"): Stranger | null {
    // A text-only visitor takes no call: there is no camera to answer it with.
    if (stranger && link.peer === stranger.peer && !stranger[kind] && !(kind === "call" && wish().textOnly)) return stranger;
    link.close();
    return null;
  }

  function keeperFor(peer: string, role: Role): IceKeeper {
    const keeper: IceKeeper = createIceKeeper({
      role,
      timers,
      now,
      send: (restart) => client()?.restart({ ...restart, peer }),
      trouble: (on) => {
        if (stranger?.keeper !== keeper) return;
        reconnecting.value = on;
        quality.trouble(on);
      },
      giveUp: () => stranger?.keeper === keeper && gone(TEXT.couldntKeep),
    });
    return keeper;
  }

  return {
    peerState,
    peer: strangerId,
    remoteStream,
    strangerMedia,
    channel,
    call,
    canChat,
    reconnecting,
    quality: quality.level,
    find,
    present: () => stranger !== null,

    matched(peer, role, interests = []) {
      // A socket that took over the old one hears its MATCH again: same stranger, same call.
      if (stranger?.peer === peer) return;
      end();
      const s: Stranger = { peer, role, interests, keeper: keeperFor(peer, role) };
      stranger = s;
      batch(() => {
        events.fresh();
        peerState.value = "connecting";
        strangerId.value = peer;
      });
      s.timer = timers.set(() => {
        if (stranger === s && peerState.value !== "connected") gone(TEXT.noConnect);
      }, CONNECT_TIMEOUT_MS);
      const signaling = client();
      if (role === "caller" && signaling) {
        s.data = signaling.connect(peer);
        wireData(s, s.data);
        if (wish().textOnly) return;
        s.call = signaling.call(peer, localStream);
        wireCall(s, s.call);
      }
    },

    offered(link) {
      const s = welcome(link, "data");
      if (!s) return;
      s.data = link;
      wireData(s, link);
    },

    called(link) {
      const s = welcome(link, "call");
      if (!s) return;
      s.call = link;
      wireCall(s, link);
      link.answer(localStream);
    },

    restarted(restart) {
      if (stranger?.peer === restart.peer) stranger.keeper.received(restart);
    },

    left(peer) {
      if (stranger?.peer === peer) gone(TEXT.left);
    },

    next(ask = true) {
      if (ask) find(); // first, so the server dissolves the pair before our connections close
      else peerState.value = "waiting";
      end();
      events.fresh();
    },

    reset(notice) {
      batch(() => {
        if (end() && notice) events.notice(notice);
        peerState.value = "idle";
      });
    },

    tell(message) {
      stranger?.data?.send(message);
    },

    replaceTrack(track) {
      stranger?.call?.replaceTrack(track);
    },

    dispose() {
      end();
    },
  };
}
