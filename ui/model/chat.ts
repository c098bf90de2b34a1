/**
 * The text chat with the current stranger: the lines on screen, and typing
 * both ways. It knows the stranger only through `link` (can we talk, and
 * send them this); the connection model tells it what the stranger says.
 */
import { batch, type ReadonlySignal, signal } from "@preact/signals";
import type { ChatMessage, PeerMessage } from "../peer-messages.ts";
import type { Timers } from "./timers.ts";

export const TYPING_SEND_EVERY_MS = 2_000;
export const TYPING_IDLE_MS = 3_000;
export const TYPING_SHOW_MS = 6_000;

export interface ChatLine {
  readonly id: number;
  readonly from: "me" | "stranger" | "system";
  readonly text: string;
  /** A notice that stays through the next stranger's arrival (what a report did). */
  readonly keep?: boolean;
}

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
  readonly maxMessageLength: number;
  /** Sends a chat line; false when there is nobody to send it to. */
  send(text: string): boolean;
  /** The visitor is typing: tell the stranger, at most every couple of seconds. */
  typing(): void;
  /** The stranger sent a line, or started or stopped typing. */
  heard(message: ChatMessage): void;
  /** A line from the page itself, not from either person; `keep`: shown until a second stranger comes. */
  notice(text: string, keep?: boolean): void;
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
  let lineId = 0;
  let typingSentAt = 0;
  let typingIdleTimer: unknown;
  let typingShowTimer: unknown;

  function say(from: ChatLine["from"], text: string, keep = false) {
    messages.value = [...messages.value, { id: ++lineId, from, text, ...(keep ? { keep } : {}) }];
  }

  /** Stops telling the stranger we type; the next keystroke tells them again at once. */
  function stopTyping() {
    timers.clear(typingIdleTimer);
    typingSentAt = 0;
  }

  return {
    messages,
    strangerTyping,
    maxMessageLength,

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
        });
      } else {
        strangerTyping.value = message.on;
        // Their "stopped" may never come (a closed tab): the indicator goes by itself.
        if (message.on) typingShowTimer = timers.set(() => strangerTyping.value = false, TYPING_SHOW_MS);
      }
    },

    notice: (text, keep) => say("system", text, keep),

    clear() {
      messages.value = messages.value.filter((line) => line.keep).map(({ keep: _, ...line }) => line);
    },

    forget() {
      timers.clear(typingShowTimer);
      stopTyping();
      strangerTyping.value = false;
    },
  };
}
