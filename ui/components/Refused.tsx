/** The notice in place of the chat when the server refuses the visitor: its country, or a ban until a local time. */
import { SAFETY_TEXT } from "../model/safety-text.ts";

export function Refused({ state, message, bannedUntil }: { state: "blocked" | "banned"; message: string; bannedUntil: number | null }) {
  if (state === "banned" && bannedUntil !== null) {
    const until = new Date(bannedUntil).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    return (
      <section class="notice" role="alert">
        <h2>{SAFETY_TEXT.bannedTitle}</h2>
        <p id="bannedMessage">{SAFETY_TEXT.banned(until)}</p>
      </section>
    );
  }
  return (
    <section class="notice" role="alert">
      <h2>Not available here</h2>
      <p>{message}</p>
    </section>
  );
}
