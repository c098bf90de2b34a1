/**
 * The frames a client may send on the signaling socket, and the ones we push.
 * PeerJS's own types (HEARTBEAT, OFFER, ANSWER, CANDIDATE, LEAVE) keep their
 * wire format, relayed by us (relay-payload.ts checks them); FIND and STOP are
 * ours. docs/PROTOCOL.md is the reference.
 */
import { DEFAULT_POOL, type LeftReason, type Role } from "../matchmaker/core.ts";
import { type RelayPayload, relayPayload, type RelayType } from "./relay-payload.ts";

/** Frames the server pushes besides PeerServer's (OPEN, OFFER, …). */
export type ServerFrame =
  | { type: "WAITING"; payload: { pool: string } }
  | { type: "MATCH"; payload: { peer: string; role: Role; pool: string } }
  | { type: "PARTNER-LEFT"; payload: { peer: string; reason: LeftReason } }
  | { type: "REJECTED"; payload: { code: FrameErrorCode; msg: string } };

export type FrameErrorCode =
  | "invalid_json"
  | "invalid_message"
  | "invalid_payload"
  | "unknown_type"
  | "invalid_pool"
  | "not_partner";

export type Frame =
  | { readonly kind: "heartbeat" }
  | { readonly kind: "relay"; readonly type: RelayType; readonly dst: string; readonly payload: RelayPayload }
  | { readonly kind: "find"; readonly pool: string }
  | { readonly kind: "stop" }
  | { readonly kind: "bad"; readonly code: FrameErrorCode; readonly msg: string };

/** Pool names: what a URL or a shell can carry without quoting. */
const POOL = /^[A-Za-z0-9_-]{1,64}$/;
const PEER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Classifies one text frame. Never throws.
 * @example
 * parseFrame('{"type":"FIND","payload":{"pool":"bots-7f3a"}}'); // { kind: "find", pool: "bots-7f3a" }
 */
export function parseFrame(text: string): Frame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return bad("invalid_json", "Frames must be JSON objects.");
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return bad("invalid_message", "Frames must be JSON objects with a string type.");
  }
  const { type, dst, payload } = message as Record<string, unknown>;
  switch (type) {
    case "HEARTBEAT":
      return { kind: "heartbeat" };
    case "FIND": {
      const pool = isObject(payload) && payload.pool !== undefined ? payload.pool : DEFAULT_POOL;
      if (typeof pool !== "string" || !POOL.test(pool)) {
        return bad("invalid_pool", "A pool name is 1 to 64 letters, digits, '-' or '_'.");
      }
      return { kind: "find", pool };
    }
    case "STOP":
      return { kind: "stop" };
    case "OFFER":
    case "ANSWER":
    case "CANDIDATE":
    case "LEAVE": {
      if (typeof dst !== "string" || !PEER_ID.test(dst)) return bad("invalid_message", `${type} needs a dst peer id.`);
      const checked = relayPayload(type, payload);
      if (!checked.ok) return bad("invalid_payload", checked.why);
      return { kind: "relay", type, dst, payload: checked.payload };
    }
    default:
      return bad("unknown_type", `Unknown frame type ${JSON.stringify(type)?.slice(0, 40)}.`);
  }
}

export function encode(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** A relayed frame as the partner receives it: only fields we checked, `src` set by us. */
export function encodeRelay(src: string, frame: Extract<Frame, { kind: "relay" }>): string {
  return JSON.stringify({ type: frame.type, src, dst: frame.dst, payload: frame.payload });
}

function bad(code: FrameErrorCode, msg: string): Frame {
  return { kind: "bad", code, msg };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
