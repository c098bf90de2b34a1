/**
 * The catalogue of refusals a client can receive, shared by the HTTP API and
 * the WebSocket upgrade so both answer with the same status, code and words.
 */
export const REFUSALS = {
  country_blocked: { status: 403, message: "Chatroulette is not available in your country." },
  invalid_identity: { status: 401, message: "Unknown id or wrong token; get a new identity from POST /api/identity." },
  origin_not_allowed: { status: 403, message: "Pages of this origin may not open signaling sockets here." },
  id_taken: { status: 409, message: "This id is already connected." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  server_full: { status: 503, message: "The server is full; try again in a minute." },
  not_found: { status: 404, message: "No such endpoint." },
  bad_request: { status: 400, message: "Malformed request." },
  internal: { status: 500, message: "Something went wrong on the server." },
} as const;

export type RefusalCode = keyof typeof REFUSALS;

/** An expected refusal; thrown by gates, turned into JSON by the one error handler. */
export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: RefusalCode, details: Readonly<Record<string, unknown>> = {}, message: string = REFUSALS[code].message) {
    super(message);
    this.name = "Refusal";
    this.code = code;
    this.status = REFUSALS[code].status;
    this.details = details;
  }

  /** The JSON body: `{ "error": code, "message": text, ...details }`. */
  body(): string {
    return JSON.stringify({ error: this.code, message: this.message, ...this.details });
  }
}
