/**
 * What two pages say to each other over their DataConnection (JSON). Every
 * incoming message is checked here: the stranger's page is not trusted.
 */
export type PeerMessage =
  | { readonly t: "msg"; readonly text: string }
  | { readonly t: "typing"; readonly on: boolean }
  /** What the sender is sending: has it a camera/microphone, and are they on. */
  | { readonly t: "media"; readonly camera: boolean; readonly video: boolean; readonly microphone: boolean; readonly audio: boolean };

/** What the chat shows: a line, or the stranger typing. */
export type ChatMessage = Extract<PeerMessage, { t: "msg" | "typing" }>;
export type MediaMessage = Extract<PeerMessage, { t: "media" }>;

/**
 * @example
 * decodePeerMessage({ t: "msg", text: "hi" }, 1000); // { t: "msg", text: "hi" }
 * decodePeerMessage("<script>", 1000);               // null
 */
export function decodePeerMessage(data: unknown, maxLength: number): PeerMessage | null {
  if (typeof data !== "object" || data === null) return null;
  const m = data as Record<string, unknown>;
  switch (m.t) {
    case "msg":
      return typeof m.text === "string" && m.text.trim() !== ""
        ? { t: "msg", text: m.text.slice(0, maxLength) }
        : null;
    case "typing":
      return typeof m.on === "boolean" ? { t: "typing", on: m.on } : null;
    case "media": {
      const flags = [m.camera, m.video, m.microphone, m.audio];
      if (!flags.every((f) => typeof f === "boolean")) return null;
      return { t: "media", camera: !!m.camera, video: !!m.video, microphone: !!m.microphone, audio: !!m.audio };
    }
    default:
      return null;
  }
}
