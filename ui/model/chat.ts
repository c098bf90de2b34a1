/**
 * The text chat with the current stranger: the lines on screen, and typing
 * both ways. It knows the stranger only through `link` (can we talk, and
 * send them this); the connection model tells it what the stranger says.
 */
import { batch, type ReadonlySignal, signal } from "@preact/signals";
import type { ChatMessage, PeerMessage } from "../peer-messages.ts";
import type { NoticeKey } from "./text.ts";
import type { Timers } from "./timers.ts";

export const TYPING_SEND_EVERY_MS = 2_000;
export const TYPING_IDLE_MS = 3_000;
export const TYPING_SHOW_MS = 6_000;

/**
 * A line of either person (their words), or of the page (a catalog key, said in the visitor's language);
 * `keep`: a notice that stays through the next stranger's arrival (what a report did).
 */
export type ChatLine =
  | { readonly id: number; readonly from: "me" | "stranger"; readonly text: string }
  | { readonly id: number; readonly from: "system"; readonly text: NoticeKey; readonly args?: readonly string[]; readonly keep?: boolean };

export interface ChatDeps {
  readonly link: {
    readonly canChat: ReadonlySignal<boolean>;
    tell(message: PeerMessage): void;
  };
  readonly maxMessageLength: number;
  readonly timers: Timers;
  readonly now: () => number;
}

export interface ChatModel {
  readonly messages: ReadonlySignal<readonly ChatLine[]>;
  readonly strangerTyping: ReadonlySignal<boolean>;
  /** The stranger's lines since the chat was last seen (the phone's chat button shows it). */
  readonly unread: ReadonlySignal<number>;
  readonly maxMessageLength: number;
  /** The visitor sees the chat now (always on a desktop; while open on a phone). */
  seen(): void;
  /** Sends a chat line; false when there is nobody to send it to. */
  send(text: string): boolean;
  /** The visitor is typing: tell the stranger, at most every couple of seconds. */
  typing(): void;
  /** The stranger sent a line, or started or stopped typing. */
  heard(message: ChatMessage): void;
  /** A line from the page itself, not from either person; `keep`: shown until a second stranger comes. */
  notice(key: NoticeKey, args?: readonly string[], keep?: boolean): void;
  /** A new stranger: what was said to the last one goes. */
  clear(): void;
  /** The stranger is gone: no more typing either way. */
  forget(): void;
}

/**
 * @example
 * const chat = createChatModel({ link: connection, maxMessageLength: 1000, timers, now: Date.now });
 * chat.send("hello"); // true once link.canChat.value
 */
export function createChatModel({ link, maxMessageLength, timers, now }: ChatDeps): ChatModel {
  const messages = signal<readonly ChatLine[]>([]);
  const strangerTyping = signal(false);
  const unread = signal(0);
  let lineId = 0;
  let typingSentAt = 0;
  let typingIdleTimer: unknown;
  let typingShowTimer: unknown;

  function say(from: "me" | "stranger", text: string) {
    messages.value = [...messages.value, { id: ++lineId, from, text }];
  }

  /** Stops telling the stranger we type; the next keystroke tells them again at once. */
  function stopTyping() {
    timers.clear(typingIdleTimer);
    typingSentAt = 0;
  }

  return {
    messages,
    strangerTyping,
    unread,
    maxMessageLength,

    seen() {
      unread.value = 0;
    },

    send(text) {
      const line = text.trim().slice(0, maxMessageLength);
      if (!line || !link.canChat.value) return false;
      link.tell({ t: "msg", text: line });
      say("me", line);
      stopTyping();
      return true;
    },

    typing() {
      if (!link.canChat.value) return;
      if (now() - typingSentAt >= TYPING_SEND_EVERY_MS) {
        typingSentAt = now();
        link.tell({ t: "typing", on: true });
      }
      timers.clear(typingIdleTimer);
      typingIdleTimer = timers.set(() => {
        typingSentAt = 0;
        link.tell({ t: "typing", on: false });
      }, TYPING_IDLE_MS);
    },

    heard(message) {
      timers.clear(typingShowTimer);
      if (message.t === "msg") {
        batch(() => {
          strangerTyping.value = false;
          say("stranger", message.text);
          unread.value++;
        });
      } else {
        strangerTyping.value = message.on;
        // Their "stopped" may never come (a closed tab): the indicator goes by itself.
        if (message.on) typingShowTimer = timers.set(() => strangerTyping.value = false, TYPING_SHOW_MS);
      }
    },

    notice(text, args, keep) {
      messages.value = [...messages.value, { id: ++lineId, from: "system", text, ...(args ? { args } : {}), ...(keep ? { keep } : {}) }];
    },

    clear() {
      // A kept notice stays once, through this new stranger's arrival.
      messages.value = messages.value.flatMap((line) => {
        if (line.from !== "system" || !line.keep) return [];
        const { keep: _, ...kept } = line;
        return [kept];
      });
      unread.value = 0;
    },

    forget() {
      timers.clear(typingShowTimer);
      stopTyping();
      strangerTyping.value = false;
    },
  };
}
