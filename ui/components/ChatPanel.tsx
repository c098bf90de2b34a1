/**
 * Messages (rendered as text, never as HTML), the typing indicator, and the
 * input. The input stays enabled between strangers so that it keeps focus
 * across Next; what is typed meanwhile stays in the box until someone can read it.
 * On a phone it is an overlay over the video, opened from the thumb bar.
 */
import type { ReadonlySignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Catalog } from "../i18n/index.ts";
import type { ChatLine } from "../model/chat.ts";
import { say } from "../model/text.ts";

export function ChatPanel({ t, messages, strangerTyping, canChat, maxLength, send, typing, visible, seen, close }: {
  t: Catalog;
  messages: ReadonlySignal<readonly ChatLine[]>;
  strangerTyping: ReadonlySignal<boolean>;
  canChat: ReadonlySignal<boolean>;
  maxLength: number;
  send: (text: string) => boolean;
  typing: () => void;
  /** The visitor can see it now: what arrives is read. */
  visible: boolean;
  seen: () => void;
  /** Closes the overlay (phones). */
  close: () => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const lines = messages.value;
  const typingNow = strangerTyping.value;
  useEffect(() => {
    const el = container.current!;
    el.scrollTop = el.scrollHeight;
    if (visible) seen();
  }, [lines, typingNow, visible]);

  const submit = (event: Event) => {
    event.preventDefault();
    const el = input.current!;
    if (send(el.value)) el.value = "";
  };
  const connected = canChat.value;
  const who = { me: t.you, stranger: t.stranger };
  return (
    <section class="chat" aria-label={t.textChat}>
      <button type="button" class="phone-only close" onClick={close}>{t.closeChat}</button>
      {/* Focusable, so that keyboard users can scroll it. */}
      <div id="messages-container" ref={container} tabIndex={0} role="group" aria-label={t.textChat}>
        <ul id="messages" aria-live="polite" aria-relevant="additions">
          {lines.map((line) =>
            line.from === "system"
              ? <li key={line.id} data-from="system">{say(t, line.text, line.args)}</li>
              : (
                <li key={line.id} data-from={line.from} aria-label={`${who[line.from]}: ${line.text}`}>
                  {line.text}
                </li>
              )
          )}
        </ul>
        {/* The live region stays mounted, so that its text appearing is announced. */}
        <p class="typing" aria-live="polite">{typingNow ? t.strangerTyping : ""}</p>
      </div>
      <form class="composer" onSubmit={submit}>
        <label for="message-input-box" class="sr-only">{t.message}</label>
        <input
          id="message-input-box"
          ref={input}
          type="text"
          autocomplete="off"
          enterkeyhint="send"
          maxLength={maxLength}
          placeholder={connected ? t.typeHere : t.waitingForStranger}
          aria-disabled={!connected}
          onInput={() => typing()}
        />
        <button type="submit" disabled={!connected}>{t.send}</button>
      </form>
    </section>
  );
}
