/**
 * Messages (rendered as text, never as HTML), the typing indicator, and the
 * input. The input stays enabled between strangers so that it keeps focus
 * across Next; what is typed meanwhile stays in the box until someone can read it.
 */
import type { ReadonlySignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { ChatLine } from "../model/chat.ts";

const WHO = { me: "You", stranger: "Stranger" } as const;

export function ChatPanel({ messages, strangerTyping, canChat, maxLength, send, typing }: {
  messages: ReadonlySignal<readonly ChatLine[]>;
  strangerTyping: ReadonlySignal<boolean>;
  canChat: ReadonlySignal<boolean>;
  maxLength: number;
  send: (text: string) => boolean;
  typing: () => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const lines = messages.value;
  const typingNow = strangerTyping.value;
  useEffect(() => {
    const el = container.current!;
    el.scrollTop = el.scrollHeight;
  }, [lines, typingNow]);

  const submit = (event: Event) => {
    event.preventDefault();
    const el = input.current!;
    if (send(el.value)) el.value = "";
  };
  const connected = canChat.value;
  return (
    <section class="chat" aria-label="Text chat">
      <div id="messages-container" ref={container}>
        <ul id="messages" aria-live="polite" aria-relevant="additions">
          {lines.map((line) => (
            <li key={line.id} data-from={line.from} aria-label={line.from === "system" ? undefined : `${WHO[line.from]}: ${line.text}`}>
              {line.text}
            </li>
          ))}
        </ul>
        {/* The live region stays mounted, so that its text appearing is announced. */}
        <p class="typing" aria-live="polite">{typingNow ? "Stranger is typing…" : ""}</p>
      </div>
      <form class="composer" onSubmit={submit}>
        <label for="message-input-box" class="sr-only">Message</label>
        <input
          id="message-input-box"
          ref={input}
          type="text"
          autocomplete="off"
          maxLength={maxLength}
          placeholder={connected ? "Type a message and press Enter" : "Waiting for a stranger…"}
          aria-disabled={!connected}
          onInput={() => typing()}
        />
        <button type="submit" disabled={!connected}>Send</button>
      </form>
    </section>
  );
}
