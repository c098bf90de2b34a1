/** The notice in place of the chat when the server refuses the visitor: its country (in the visitor's words), or a ban until a local time. */
import type { Catalog } from "../i18n/index.ts";
import type { Refused as Refusal } from "../model/connection.ts";
import { refusalWords } from "../model/text.ts";

export function Refused({ t, state, refused, bannedUntil }: {
  t: Catalog;
  state: "blocked" | "banned";
  refused: Refusal | null;
  bannedUntil: number | null;
}) {
  if (state === "banned" && bannedUntil !== null) {
    const until = new Date(bannedUntil).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    return (
      <section class="notice" role="alert">
        <h2>{t.bannedTitle}</h2>
        <p id="bannedMessage">{t.banned(until)}</p>
      </section>
    );
  }
  return (
    <section class="notice" role="alert">
      <h2>{t.notAvailable}</h2>
      <p>{refused ? refusalWords(t, refused) : t.refused}</p>
    </section>
  );
}
