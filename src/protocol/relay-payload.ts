/**
 * The payloads of the signaling frames we relay between partners, checked
 * against what peerjs 1.5 really sends, and rebuilt from their known fields.
 *
 * The relayed JSON is always one we built: a payload nested 5,000 arrays deep
 * used to pass a "payload is an object" check, then made PeerServer's
 * JSON.stringify throw, and its catch closed the *recipient's* socket
 * (measured). Unknown fields are dropped (peerjs versions add harmless ones;
 * `metadata` is arbitrary JSON and never relayed), wrong types and sizes refused.
 *
 *   OFFER     { sdp: { type: "offer", sdp }, type, connectionId, label?, reliable?, serialization? }
 *   ANSWER    { sdp: { type: "answer", sdp }, type, connectionId }
 *   CANDIDATE { candidate: { candidate, sdpMid, sdpMLineIndex, usernameFragment }, type, connectionId }
 *   RESTART   { sdp: { type: "offer" | "answer", sdp }, type, connectionId }
 *   LEAVE     nothing
 *
 * RESTART is ours, not peerjs's: an ICE restart of a live connection. peerjs
 * closes a connection that receives a second OFFER, and passes frames of a
 * type it does not know to the connection, which ignores them; so the pages
 * renegotiate ICE with RESTART, and peerjs relays the new candidates as usual.
 */
export const RELAY_TYPES = ["OFFER", "ANSWER", "CANDIDATE", "RESTART", "LEAVE"] as const;
export type RelayType = typeof RELAY_TYPES[number];

export interface SessionDescription {
  readonly type: "offer" | "answer";
  readonly sdp: string;
}

export interface IceCandidate {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
}

export type RelayPayload =
  | {
    readonly sdp: SessionDescription;
    readonly type: ConnectionType;
    readonly connectionId: string;
    readonly label?: string;
    readonly reliable?: boolean;
    readonly serialization?: Serialization;
  }
  | { readonly candidate: IceCandidate; readonly type: ConnectionType; readonly connectionId: string }
  | undefined;

export type ConnectionType = "data" | "media";
/** peerjs's own serializers; another name makes the receiving peerjs throw. */
export const SERIALIZATIONS = ["binary", "binary-utf8", "json", "raw", "default"] as const;
export type Serialization = (typeof SERIALIZATIONS)[number];

/** Limits on each string, well above what browsers send (Chromium's offers are ~6 KB). */
export const PAYLOAD_LIMITS = {
  sdp: 60_000,
  candidate: 2048,
  sdpMid: 256,
  usernameFragment: 256,
  label: 256,
  connectionId: 64,
} as const;

const CONNECTION_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The payload to relay for a frame of `type`, or a reason it is refused.
 * @example
 * relayPayload("LEAVE", { anything: 1 }); // { ok: true, payload: undefined }
 * relayPayload("OFFER", [[[]]]);          // { ok: false, why: "OFFER needs an object payload." }
 */
export function relayPayload(type: RelayType, raw: unknown): { ok: true; payload: RelayPayload } | { ok: false; why: string } {
  if (type === "LEAVE") return { ok: true, payload: undefined };
  if (!isObject(raw)) return refuse(`${type} needs an object payload.`);
  const kind = raw.type;
  if (kind !== "data" && kind !== "media") return refuse(`${type} payload.type must be "data" or "media".`);
  const connectionId = raw.connectionId;
  if (!boundedString(connectionId, PAYLOAD_LIMITS.connectionId) || !CONNECTION_ID.test(connectionId)) {
    return refuse(`${type} payload.connectionId must be 1 to 64 letters, digits, '-' or '_'.`);
  }
  if (type === "CANDIDATE") {
    const candidate = iceCandidate(raw.candidate);
    if (!candidate) return refuse("CANDIDATE payload.candidate must be an RTCIceCandidate's JSON.");
    return { ok: true, payload: { candidate, type: kind, connectionId } };
  }
  const sdp = raw.sdp;
  const sdpType = type === "OFFER" ? "offer" : type === "ANSWER" ? "answer" : isObject(sdp) && sdp.type === "offer" ? "offer" : "answer";
  if (!isObject(sdp) || sdp.type !== sdpType || !boundedString(sdp.sdp, PAYLOAD_LIMITS.sdp)) {
    const expected = type === "RESTART" ? '"offer" or "answer"' : `"${sdpType}"`;
    return refuse(`${type} payload.sdp must be {"type":${expected},"sdp":"…"} (at most ${PAYLOAD_LIMITS.sdp} characters).`);
  }
  const description = { type: sdpType, sdp: sdp.sdp } as const;
  if (type !== "OFFER" || kind === "media") return { ok: true, payload: { sdp: description, type: kind, connectionId } };
  // A data connection's offer also says how the channel is set up.
  const { label, reliable, serialization } = raw;
  if (label !== undefined && !boundedString(label, PAYLOAD_LIMITS.label)) return refuse("OFFER payload.label must be a short string.");
  if (reliable !== undefined && typeof reliable !== "boolean") return refuse("OFFER payload.reliable must be true or false.");
  if (serialization !== undefined && !SERIALIZATIONS.includes(serialization as Serialization)) {
    return refuse(`OFFER payload.serialization must be one of ${SERIALIZATIONS.join(", ")}.`);
  }
  return {
    ok: true,
    payload: { sdp: description, type: kind, connectionId, label, reliable, serialization: serialization as Serialization | undefined },
  };
}

function iceCandidate(raw: unknown): IceCandidate | null {
  if (!isObject(raw)) return null;
  const { candidate, sdpMid = null, sdpMLineIndex = null, usernameFragment = null } = raw;
  if (!boundedString(candidate, PAYLOAD_LIMITS.candidate, 0)) return null;
  if (sdpMid !== null && !boundedString(sdpMid, PAYLOAD_LIMITS.sdpMid, 0)) return null;
  if (sdpMLineIndex !== null && !(Number.isInteger(sdpMLineIndex) && (sdpMLineIndex as number) >= 0 && (sdpMLineIndex as number) < 1024)) {
    return null;
  }
  if (usernameFragment !== null && !boundedString(usernameFragment, PAYLOAD_LIMITS.usernameFragment, 0)) return null;
  return { candidate, sdpMid, sdpMLineIndex: sdpMLineIndex as number | null, usernameFragment };
}

function boundedString(value: unknown, max: number, min = 1): value is string {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refuse(why: string): { ok: false; why: string } {
  return { ok: false, why };
}
