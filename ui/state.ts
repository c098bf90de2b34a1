/**
 * The page's model, composed from small ones (ui/model/): the connection (the
 * server socket and the one stranger), the chat, the visitor's own media and
 * screen, their settings, the stranger's volume, reports and the Next limit;
 * plus the few effects where one must hear another: the stranger is told
 * about our media, a changed wish is asked for again, text only lets the
 * camera go.
 *
 * Browser pieces (media devices, the peerjs client, storage, timers, clock,
 * random) come in as adapters, so the whole page runs under node:test with
 * fakes of the browser, and scripted visitors (src/smoke/bot.ts) run it under Node.
 */
import { computed, effect, type ReadonlySignal, untracked } from "@preact/signals";
import type { Rate } from "../src/protocol/index.ts";
import type { MediaAdapter } from "./media.ts";
import { type ChatModel, createChatModel } from "./model/chat.ts";
import { type ConnectionModel, createConnectionModel } from "./model/connection.ts";
import { createLocalMediaModel, type LocalMediaModel } from "./model/local-media.ts";
import { createNextLimit } from "./model/next-limit.ts";
import { createReportModel, type ReportModel } from "./model/report.ts";
import { SAFETY_TEXT } from "./model/safety-text.ts";
import { createPrivacyModel, type PrivacyModel } from "./model/privacy.ts";
import { createRouteModel, type Route } from "./model/route.ts";
import { createScreenShareModel, type ScreenShareModel } from "./model/screen-share.ts";
import { createSettingsModel, type SettingsModel, type SettingsStore } from "./model/settings.ts";
import { createStrangerAudioModel, type StrangerAudioModel } from "./model/stranger-audio.ts";
import { browserTimers, type Timers } from "./model/timers.ts";
import type { OpenSignaling, RequestIdentity } from "./peer-client.ts";

export interface PageDeps {
  readonly requestIdentity: RequestIdentity;
  readonly openSignaling: OpenSignaling;
  readonly media: MediaAdapter;
  readonly maxMessageLength: number;
  /** The server's Next limit (client config), kept on the page too. */
  readonly nextLimit: Rate;
  /** Where settings are remembered; none by default. */
  readonly store?: SettingsStore | null;
  /** The browser's languages, best first. */
  readonly languages?: readonly string[];
  /** The page's language as the server chose it from Accept-Language. */
  readonly pageLanguage?: string;
  /** The server filters by declared gender (client config). */
  readonly preferences?: boolean;
  /** The "Hide my IP address" choice, which openSignaling also reads; none offered by default. */
  readonly privacy?: PrivacyModel;
  readonly timers?: Timers;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Everything the components render and every action they call; all signals read-only. */
export interface PageModel
  extends
    Pick<
      ConnectionModel,
      | "serverState"
      | "peerState"
      | "refused"
      | "bannedUntil"
      | "reconnectAt"
      | "online"
      | "remoteStream"
      | "strangerMedia"
      | "strangerCaption"
      | "quality"
      | "canChat"
    >,
    Pick<ReportModel, "canReport" | "report">,
    Pick<ChatModel, "messages" | "strangerTyping" | "unread" | "seen" | "maxMessageLength" | "send" | "typing">,
    Pick<
      LocalMediaModel,
      | "localStream"
      | "enabled"
      | "hasDevice"
      | "inputs"
      | "selected"
      | "mediaProblem"
      | "ownCaption"
      | "toggle"
      | "selectDevice"
      | "retryMedia"
    > {
  /** Connected, and Next's budget not spent. */
  readonly canNext: ReadonlySignal<boolean>;
  /** Leave this stranger (they are told) and find another. */
  next(): void;
  readonly settings: SettingsModel;
  readonly screen: ScreenShareModel;
  readonly audio: StrangerAudioModel;
  /** How the call is connected (direct or through the TURN relay); null until known. */
  readonly route: ReadonlySignal<Route | null>;
  readonly privacy: PrivacyModel;
  /** Ask for camera and microphone (unless text only) and for a partner at once, no click needed. */
  start(): void;
  /** Stops everything (page unload, tests). */
  dispose(): void;
}

/**
 * @example
 * const page = createPageModel({ requestIdentity, openSignaling, media: browserMedia(), maxMessageLength: 1000, nextLimit: { burst: 10, perMinute: 30 } });
 * page.start();
 * page.send("hello"); // once page.canChat.value
 * page.next();        // leave this stranger, find another
 */
export function createPageModel(deps: PageDeps): PageModel {
  const timers = deps.timers ?? browserTimers;
  const now = deps.now ?? Date.now;
  const settings = createSettingsModel({
    store: deps.store ?? null,
    languages: deps.languages ?? [],
    pageLanguage: deps.pageLanguage,
    preferences: deps.preferences ?? false,
  });
  // Media and connection need each other (the live call carries media's tracks;
  // the chat hears the connection): the late ones are reached through arrows,
  // which nothing calls before start().
  const media = createLocalMediaModel({ adapter: deps.media, onTrack: (track) => connection.replaceTrack(track) });
  const screen = createScreenShareModel({ capture: deps.media.screen?.bind(deps.media), media });
  const connection = createConnectionModel({
    requestIdentity: deps.requestIdentity,
    openSignaling: deps.openSignaling,
    localStream: media.localStream,
    maxMessageLength: deps.maxMessageLength,
    events: {
      notice: (key, args) => chat.notice(key, args),
      heard: (message) => chat.heard(message),
      fresh: () => chat.clear(),
      gone: () => chat.forget(),
    },
    rejected: (rejection) => reports.rejected(rejection),
    timers,
    now,
    random: deps.random ?? Math.random,
    wish: () => settings.wish.value,
  });
  const chat = createChatModel({ link: connection, maxMessageLength: deps.maxMessageLength, timers, now });
  const nextLimit = createNextLimit({ rate: deps.nextLimit, timers, now });
  const reports = createReportModel({
    stranger: connection.strangerPeer,
    send: connection.report,
    // Reporting the stranger leaves them, which the server counts as a Next (never refused).
    leave: () => {
      nextLimit.take();
      connection.leave();
    },
    notice: chat.notice,
    timers,
  });
  const canNext = computed(() => connection.canNext.value && nextLimit.ready.value);
  const stops: Array<() => void> = [];
  const route = createRouteModel({ call: connection.call, timers });

  return {
    serverState: connection.serverState,
    peerState: connection.peerState,
    refused: connection.refused,
    bannedUntil: connection.bannedUntil,
    reconnectAt: connection.reconnectAt,
    online: connection.online,
    remoteStream: connection.remoteStream,
    strangerMedia: connection.strangerMedia,
    strangerCaption: connection.strangerCaption,
    quality: connection.quality,
    canChat: connection.canChat,
    canNext,
    canReport: reports.canReport,
    report: reports.report,
    messages: chat.messages,
    strangerTyping: chat.strangerTyping,
    unread: chat.unread,
    seen: chat.seen,
    maxMessageLength: chat.maxMessageLength,
    send: chat.send,
    typing: chat.typing,
    localStream: media.localStream,
    enabled: media.enabled,
    hasDevice: media.hasDevice,
    inputs: media.inputs,
    selected: media.selected,
    mediaProblem: media.mediaProblem,
    ownCaption: media.ownCaption,
    toggle: media.toggle,
    selectDevice: media.selectDevice,
    retryMedia: media.retryMedia,
    settings,
    screen,
    audio: createStrangerAudioModel(),
    route: route.route,
    privacy: deps.privacy ?? createPrivacyModel({ relay: "unavailable" }),

    next() {
      if (!connection.canNext.value) return;
      // Only leaving a stranger spends the budget; asking again while waiting does not.
      if (connection.strangerPeer.value !== null && !nextLimit.take()) return chat.notice(SAFETY_TEXT.slowDown);
      connection.next();
    },

    start() {
      media.start(!settings.textOnly.peek());
      void connection.connect();
      stops.push(
        // The stranger always knows what we send: once when their channel opens, then on each change.
        effect(() => {
          const channel = connection.channel.value;
          if (channel) channel.send(media.announcement.value);
        }),
        // A changed wish is asked for again at once while waiting; a call goes on until Next.
        changes(() => settings.wish.value, () => connection.refind()),
        // Text only: no camera at all, and a stranger from the text-only side.
        changes(() => settings.textOnly.value, (on) => {
          if (on) {
            screen.stop();
            media.release();
          } else void media.retryMedia();
          // While waiting, the changed wish is asked for already.
          if (connection.peerState.value !== "waiting") connection.next();
        }),
      );
    },

    dispose() {
      for (const stop of stops.splice(0)) stop();
      screen.stop();
      reports.dispose();
      nextLimit.dispose();
      route.dispose();
      connection.dispose();
      media.dispose();
    },
  };
}

/** Runs `then` with each new value of `read`, not with the first. */
function changes<T>(read: () => T, then: (value: T) => void): () => void {
  let first = true;
  return effect(() => {
    const value = read();
    if (first) {
      first = false;
      return;
    }
    untracked(() => then(value));
  });
}
