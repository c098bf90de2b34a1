/**
 * The refusals a client can receive, over HTTP and at the WebSocket upgrade
 * alike: a code, its status and the words a visitor reads. Errors arrive as
 * `{ "error": code, "message": text, ...details }`.
 */
export const REFUSALS = {
  bad_request: { status: 400, message: "Malformed request." },
  invalid_identity: { status: 401, message: "Unknown id or wrong token; get a new identity from POST /api/identity." },
  country_blocked: { status: 403, message: "Chatroulette is not available in your country." },
  origin_not_allowed: { status: 403, message: "Pages of this origin may not open signaling sockets here." },
  not_found: { status: 404, message: "No such endpoint." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  internal: { status: 500, message: "Something went wrong on the server." },
  server_full: { status: 503, message: "The server is full; try again in a minute." },
  not_ready: { status: 503, message: "The server is starting; try again in a moment." },
  unavailable: { status: 503, message: "Matchmaking is unavailable for a moment; try again shortly." },
} as const;

export type RefusalCode = keyof typeof REFUSALS;

/** A refusal's JSON body. */
export interface RefusalBody {
  readonly error: RefusalCode;
  readonly message: string;
  readonly [detail: string]: unknown;
}

/** Reads an error body; null when it is not one of ours. */
export function decodeRefusal(body: unknown): RefusalBody | null {
  if (typeof body !== "object" || body === null) return null;
  const { error, message } = body as Record<string, unknown>;
  if (typeof error !== "string" || !(error in REFUSALS) || typeof message !== "string") return null;
  return body as RefusalBody;
}
