/**
 * Messages (rendered as text, never as HTML), the typing indicator, and the
 * input. The input stays enabled between strangers so that it keeps focus
 * across Next; what is typed meanwhile stays in the box until someone can read it.
 */
import { useEffect, useRef } from "preact/hooks";
import type { Chat as ChatModel } from "../state.ts";

const WHO = { me: "You", stranger: "Stranger" } as const;

export function Chat({ chat }: { chat: ChatModel }) {
  const container = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const lines = chat.messages.value;
  useEffect(() => {
    const el = container.current!;
    el.scrollTop = el.scrollHeight;
  }, [lines, chat.strangerTyping.value]);

  const submit = (event: Event) => {
    event.preventDefault();
    const el = input.current!;
    if (chat.send(el.value)) el.value = "";
  };
  const connected = chat.canChat.value;
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
        <p class="typing" aria-live="polite">{chat.strangerTyping.value ? "Stranger is typing…" : ""}</p>
      </div>
      <form class="composer" onSubmit={submit}>
        <label for="message-input-box" class="sr-only">Message</label>
        <input
          id="message-input-box"
          ref={input}
          type="text"
          autocomplete="off"
          maxLength={chat.maxMessageLength}
          placeholder={connected ? "Type a message and press Enter" : "Waiting for a stranger…"}
          aria-disabled={!connected}
          onInput={() => chat.typing()}
        />
        <button type="submit" disabled={!connected}>Send</button>
      </form>
    </section>
  );
}
