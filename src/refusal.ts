/**
 * A refusal thrown by the gates (HTTP and WebSocket upgrade alike) and
 * answered by the one error handler, with the status, code and words of the
 * protocol's catalogue (src/protocol/refusals.ts).
 */
import { REFUSALS, type RefusalCode } from "./protocol/index.ts";

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

  /** Headers besides the body's: Retry-After (seconds) when the details say when to retry. */
  headers(): Record<string, string> {
    const retryAfter = this.details.retryAfter;
    return typeof retryAfter === "number" ? { "Retry-After": String(retryAfter) } : {};
  }
}

/** A banned visitor's refusal (HTTP 403 and upgrade alike): until when, as ISO time. */
export function bannedRefusal(until: number): Refusal {
  const iso = new Date(until).toISOString();
  return new Refusal("banned", { until: iso }, `You were reported by several people and can't use chatroulette until ${iso}.`);
}
