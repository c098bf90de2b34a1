/**
 * The refusals a client can receive, over HTTP and at the WebSocket upgrade
 * alike: a code, its status and the words a visitor reads. Errors arrive as
 * `{ "error": code, "message": text, ...details }`: `banned` adds `until`
 * (ISO time), `rate_limited` adds `retryAfter` (seconds, also the Retry-After
 * header), `challenge_required` adds `challenge`.
 */
export const REFUSALS = {
  bad_request: { status: 400, message: "Malformed request." },
  invalid_identity: { status: 401, message: "Unknown id or wrong token; get a new identity from POST /api/identity." },
  unauthorized: { status: 401, message: "This needs the moderator token: Authorization: Bearer <--admin-token>." },
  country_blocked: { status: 403, message: "Chatroulette is not available in your country." },
  banned: { status: 403, message: "You were reported by several people and can't use chatroulette for a while." },
  challenge_invalid: { status: 403, message: "That is not a solution to a challenge of this server; ask for a new one." },
  challenge_expired: { status: 403, message: "The challenge expired before it was solved; ask for a new one." },
  challenge_used: { status: 403, message: "That challenge was solved and used already; ask for a new one." },
  origin_not_allowed: { status: 403, message: "Pages of this origin may not open signaling sockets here." },
  not_found: { status: 404, message: "No such endpoint." },
  id_taken: { status: 409, message: "This id is already connecting; wait for that socket to open." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  challenge_required: { status: 428, message: "Solve the challenge (proof of work) and send it back with the request." },
  too_many_connections: { status: 429, message: "Too many connections from your address at once; close some and try again." },
  rate_limited: { status: 429, message: "Too many requests from your address; try again in a moment." },
  internal: { status: 500, message: "Something went wrong on the server." },
  server_full: { status: 503, message: "The server is full; try again in a minute." },
  not_ready: { status: 503, message: "The server is starting; try again in a moment." },
  unavailable: { status: 503, message: "Matchmaking is unavailable for a moment; try again shortly." },
  shutting_down: { status: 503, message: "The server is shutting down; try again in a moment." },
} as const;

export type RefusalCode = keyof typeof REFUSALS;

/** A refusal's JSON body. */
export interface RefusalBody {
  readonly error: RefusalCode;
  readonly message: string;
  readonly [detail: string]: unknown;
}

/**
 * Reads an error body; null when it is not shaped as one. The code is not
 * looked up in REFUSALS, so the page's bundle leaves that table (its words
 * are the server's; the page has its own catalogs) out: ~0.5 KB gzipped.
 * A code this client does not know is simply one it compares against nothing.
 */
export function decodeRefusal(body: unknown): RefusalBody | null {
  if (typeof body !== "object" || body === null) return null;
  const { error, message } = body as Record<string, unknown>;
  if (typeof error !== "string" || typeof message !== "string") return null;
  return body as RefusalBody;
}
