/**
 * The page's model, composed from small ones (ui/model/): the connection (the
 * server socket and the one stranger), the chat, the visitor's own media,
 * reports and the Next limit; plus the one effect that keeps the stranger
 * told about that media.
 *
 * Browser pieces (media devices, the peerjs client, timers, clock, random)
 * come in as adapters, so the whole page runs under node:test with fakes of
 * the browser, and scripted visitors (src/smoke/bot.ts) run it under Node.
 */
import { computed, effect, type ReadonlySignal } from "@preact/signals";
import type { Rate } from "../src/protocol/index.ts";
import type { MediaAdapter } from "./media.ts";
import { type ChatModel, createChatModel } from "./model/chat.ts";
import { type ConnectionModel, createConnectionModel } from "./model/connection.ts";
import { createLocalMediaModel, type LocalMediaModel } from "./model/local-media.ts";
import { createNextLimit } from "./model/next-limit.ts";
import { createReportModel, type ReportModel } from "./model/report.ts";
import { SAFETY_TEXT } from "./model/safety-text.ts";
import { browserTimers, type Timers } from "./model/timers.ts";
import type { OpenSignaling, RequestIdentity } from "./peer-client.ts";

export interface PageDeps {
  readonly requestIdentity: RequestIdentity;
  readonly openSignaling: OpenSignaling;
  readonly media: MediaAdapter;
  readonly maxMessageLength: number;
  /** The server's Next limit (client config), kept on the page too. */
  readonly nextLimit: Rate;
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
      | "blockedMessage"
      | "bannedUntil"
      | "reconnectAt"
      | "remoteStream"
      | "strangerMedia"
      | "strangerCaption"
      | "canChat"
    >,
    Pick<ReportModel, "canReport" | "report">,
    Pick<ChatModel, "messages" | "strangerTyping" | "maxMessageLength" | "send" | "typing">,
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
  /** Ask for camera and microphone and for a partner at once, no click needed. */
  start(): void;
  /** Stops everything (page unload, tests). */
  dispose(): void;
}

/**
 * @example
 * const page = createPageModel({ requestIdentity, openSignaling, media: browserMedia(), maxMessageLength: 1000 });
 * page.start();
 * page.send("hello"); // once page.canChat.value
 * page.next();        // leave this stranger, find another
 */
export function createPageModel(deps: PageDeps): PageModel {
  const timers = deps.timers ?? browserTimers;
  const now = deps.now ?? Date.now;
  // Media and connection need each other (the live call carries media's tracks;
  // the chat hears the connection): the late ones are reached through arrows,
  // which nothing calls before start().
  const media = createLocalMediaModel({ adapter: deps.media, onTrack: (track) => connection.replaceTrack(track) });
  const connection = createConnectionModel({
    requestIdentity: deps.requestIdentity,
    openSignaling: deps.openSignaling,
    localStream: media.localStream,
    maxMessageLength: deps.maxMessageLength,
    events: {
      notice: (text) => chat.notice(text),
      heard: (message) => chat.heard(message),
      fresh: () => chat.clear(),
      gone: () => chat.forget(),
    },
    rejected: (rejection) => reports.rejected(rejection),
    timers,
    now,
    random: deps.random ?? Math.random,
  });
  const chat = createChatModel({ link: connection, maxMessageLength: deps.maxMessageLength, timers, now });
  const reports = createReportModel({
    stranger: connection.strangerPeer,
    send: connection.report,
    leave: connection.leave,
    notice: chat.notice,
    timers,
  });
  const nextLimit = createNextLimit({ rate: deps.nextLimit, timers, now });
  const canNext = computed(() => connection.canNext.value && nextLimit.ready.value);

  // The stranger always knows what we send: once when their channel opens, then on each change.
  const stopTelling = effect(() => {
    const channel = connection.channel.value;
    if (channel) channel.send(media.announcement.value);
  });

  return {
    serverState: connection.serverState,
    peerState: connection.peerState,
    blockedMessage: connection.blockedMessage,
    bannedUntil: connection.bannedUntil,
    reconnectAt: connection.reconnectAt,
    remoteStream: connection.remoteStream,
    strangerMedia: connection.strangerMedia,
    strangerCaption: connection.strangerCaption,
    canChat: connection.canChat,
    canNext,
    canReport: reports.canReport,
    report: reports.report,
    messages: chat.messages,
    strangerTyping: chat.strangerTyping,
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

    next() {
      if (!connection.canNext.value) return;
      // Only leaving a stranger spends the budget; asking again while waiting does not.
      if (connection.strangerPeer.value !== null && !nextLimit.take()) return chat.notice(SAFETY_TEXT.slowDown);
      connection.next();
    },

    start() {
      media.start();
      void connection.connect();
    },

    dispose() {
      stopTelling();
      reports.dispose();
      nextLimit.dispose();
      connection.dispose();
      media.dispose();
    },
  };
}
