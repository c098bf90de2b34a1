/**
 * Every frame of the signaling socket, both ways, with one decoder for each
 * direction. PeerJS's own frames (HEARTBEAT, OFFER, ANSWER, CANDIDATE, LEAVE,
 * OPEN, ERROR, ID-TAKEN) keep their wire format; FIND, STOP, REPORT, WAITING,
 * MATCH, PARTNER-LEFT, ONLINE, REPORTED and REJECTED are ours, and so is the
 * RESTART relay (ICE restarts). docs/PROTOCOL.md §3–§6 and §8 are the reference.
 */
import { isName } from "./names.ts";
import { type RelayPayload, relayPayload, type RelayType } from "./relay-payload.ts";
import { isReportReason, REPORT_REASONS, type ReportReason } from "./safety.ts";
import { decodeInterests, decodeWish, type FindPayload, type Wish } from "./wish.ts";

export { DEFAULT_POOL, isName } from "./names.ts";

/** Who opens the connections after MATCH (the caller) and who answers (the callee). */
export type Role = "caller" | "callee";
/** Why a partner left: pressed Next, stopped, or lost its socket. */
export type LeftReason = "next" | "stop" | "disconnect";

export const FRAME_ERRORS = {
  invalid_json: "the frame is not JSON",
  invalid_message: "not an object with a known shape, or a relay frame without a dst id",
  invalid_payload: "a relay frame whose payload is not what peerjs sends",
  unknown_type: "a type clients may not send",
  invalid_pool: "a pool name outside 1–64 of A-Z a-z 0-9 - _",
  not_partner: "signaling for, or a report of, someone who is not your partner (or was not in the last minute)",
  invalid_reason: `a REPORT whose reason is not one of ${REPORT_REASONS.join(", ")}`,
  already_reported: "you reported this visitor already",
  too_many_reports: "more reports than a few a minute: the pair ended, but this report was not counted",
  rate_limited: "Next pressed faster than allowed: ignored; try again after retryAfter seconds",
  invalid_interests: "more than 5 interests, or one that is empty or over 32 characters",
  invalid_language: "a language that is not a known primary language code",
  invalid_preferences: "preferences that are not a known gender and lookingFor",
  preferences_off: "preferences sent to a server without --preferences: dropped, and the FIND went ahead",
} as const;
export type FrameErrorCode = keyof typeof FRAME_ERRORS;

/** A signaling frame on its way to the partner (one member per type, so `type` narrows it). */
export type RelayFrame = {
  readonly [T in RelayType]: { readonly type: T; readonly dst: string; readonly payload?: RelayPayload };
}[RelayType];

/** What a client sends. */
export type ClientFrame =
  | { readonly type: "HEARTBEAT" }
  | { readonly type: "FIND"; readonly payload?: FindPayload }
  | { readonly type: "STOP" }
  | ReportFrame
  | RelayFrame;

/** Report the partner, or the one who left within the last minute; it ends the pair like Next. */
export type ReportFrame = { readonly type: "REPORT"; readonly payload: { readonly peer: string; readonly reason: ReportReason } };

/** A client frame as the server reads it: FIND always says everything it asks for. */
export type DecodedClientFrame =
  | { readonly type: "HEARTBEAT" }
  | { readonly type: "FIND"; readonly payload: Wish }
  | { readonly type: "STOP" }
  | ReportFrame
  | RelayFrame;

/** What the server sends. OPEN, ERROR and ID-TAKEN are PeerServer's own. */
export type ServerFrame =
  | { readonly type: "OPEN" }
  | { readonly type: "ERROR" | "ID-TAKEN"; readonly payload: { readonly msg: string } }
  | { readonly type: "WAITING"; readonly payload: { readonly pool: string } }
  | { readonly type: "MATCH"; readonly payload: MatchPayload }
  | { readonly type: "PARTNER-LEFT"; readonly payload: { readonly peer: string; readonly reason: LeftReason } }
  | { readonly type: "REPORTED"; readonly payload: { readonly peer: string } }
  | { readonly type: "REJECTED"; readonly payload: Rejection }
  /** Visitors connected to the server, pushed at most every 10 s while it changes. */
  | { readonly type: "ONLINE"; readonly payload: { readonly count: number } }
  | RelayedFrame;

/** Why a frame was refused; `rate_limited` also says after how many seconds to try again. */
export interface Rejection {
  readonly code: FrameErrorCode;
  readonly msg: string;
  readonly retryAfter?: number;
}

export interface MatchPayload {
  readonly peer: string;
  readonly role: Role;
  readonly pool: string;
  /** The interests both share, when there are any: the only ones either is shown. */
  readonly interests?: readonly string[];
}

/** A relay frame as the partner receives it: `src` is set by the server. */
export type RelayedFrame = RelayFrame & { readonly src: string };

export type Decoded<T> = { readonly ok: true; readonly frame: T } | { readonly ok: false; readonly code: FrameErrorCode; readonly msg: string };

/**
 * Reads one text frame from a client. Never throws.
 * @example
 * decodeClientFrame('{"type":"FIND","payload":{"pool":"bots-7f3a"}}');
 * // { ok: true, frame: { type: "FIND", payload: { pool: "bots-7f3a" } } }
 */
export function decodeClientFrame(text: string): Decoded<DecodedClientFrame> {
  const message = parseObject(text);
  if (typeof message === "string") return bad(message, message === "invalid_json" ? "Frames must be JSON objects." : "Frames must be JSON objects with a string type.");
  const { type, dst, payload } = message;
  switch (type) {
    case "HEARTBEAT":
    case "STOP":
      return { ok: true, frame: { type } };
    case "FIND": {
      const decoded = decodeWish(payload);
      if (!decoded.ok) return bad(decoded.code, decoded.msg);
      return { ok: true, frame: { type, payload: decoded.wish } };
    }
    case "REPORT": {
      const { peer, reason } = isObject(payload) ? payload : {};
      if (!isName(peer)) return bad("invalid_message", "REPORT needs payload.peer, the id of the stranger.");
      if (!isReportReason(reason)) return bad("invalid_reason", `A report's reason is one of ${REPORT_REASONS.join(", ")}.`);
      return { ok: true, frame: { type, payload: { peer, reason } } };
    }
    case "OFFER":
    case "ANSWER":
    case "CANDIDATE":
    case "RESTART":
    case "LEAVE": {
      if (!isName(dst)) return bad("invalid_message", `${type} needs a dst peer id.`);
      const checked = relayPayload(type, payload);
      if (!checked.ok) return bad("invalid_payload", checked.why);
      return { ok: true, frame: checked.payload === undefined ? { type, dst } : { type, dst, payload: checked.payload } };
    }
    default:
      return bad("unknown_type", `Unknown frame type ${JSON.stringify(type)?.slice(0, 40)}.`);
  }
}

/**
 * Reads one frame from the server (already parsed, as peerjs hands it over);
 * null for anything this protocol does not define, so drift shows at once.
 * @example
 * decodeServerFrame({ type: "MATCH", payload: { peer: "a83e", role: "caller", pool: "public" } }); // the frame
 * decodeServerFrame({ type: "MATCH", payload: { peer: 7 } });                                      // null
 */
export function decodeServerFrame(data: unknown): ServerFrame | null {
  if (!isObject(data)) return null;
  const { type, payload: p, src, dst } = data;
  const payload = isObject(p) ? p : {};
  switch (type) {
    case "OPEN":
      return { type };
    case "ERROR":
    case "ID-TAKEN":
      return typeof payload.msg === "string" ? { type, payload: { msg: payload.msg } } : null;
    case "WAITING":
      return isName(payload.pool) ? { type, payload: { pool: payload.pool } } : null;
    case "MATCH": {
      const { peer, role, pool } = payload;
      if (!isName(peer) || !isName(pool) || (role !== "caller" && role !== "callee")) return null;
      if (payload.interests === undefined) return { type, payload: { peer, role, pool } };
      const interests = decodeInterests(payload.interests);
      return typeof interests === "string" ? null : { type, payload: { peer, role, pool, interests } };
    }
    case "ONLINE":
      return Number.isSafeInteger(payload.count) && (payload.count as number) >= 0 ? { type, payload: { count: payload.count as number } } : null;
    case "PARTNER-LEFT":
      return isName(payload.peer) && (payload.reason === "next" || payload.reason === "stop" || payload.reason === "disconnect")
        ? { type, payload: { peer: payload.peer, reason: payload.reason } }
        : null;
    case "REPORTED":
      return isName(payload.peer) ? { type, payload: { peer: payload.peer } } : null;
    case "REJECTED": {
      if (typeof payload.code !== "string" || !(payload.code in FRAME_ERRORS) || typeof payload.msg !== "string") return null;
      const rejection = { code: payload.code as FrameErrorCode, msg: payload.msg };
      const { retryAfter } = payload;
      return { type, payload: Number.isSafeInteger(retryAfter) && (retryAfter as number) > 0 ? { ...rejection, retryAfter: retryAfter as number } : rejection };
    }
    case "OFFER":
    case "ANSWER":
    case "CANDIDATE":
    case "RESTART":
    case "LEAVE": {
      const checked = relayPayload(type, p);
      if (!isName(src) || !isName(dst) || !checked.ok) return null;
      return checked.payload === undefined ? { type, src, dst } : { type, src, dst, payload: checked.payload };
    }
    default:
      return null;
  }
}

export function encodeFrame(frame: ServerFrame | ClientFrame): string {
  return JSON.stringify(frame);
}

function parseObject(text: string): Record<string, unknown> | "invalid_json" | "invalid_message" {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return "invalid_json";
  }
  return isObject(message) ? message : "invalid_message";
}

function bad(code: FrameErrorCode, msg: string): { ok: false; code: FrameErrorCode; msg: string } {
  return { ok: false, code, msg };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
