/**
 * What the server and its clients agree on about safety: the reasons a
 * stranger may be reported for, how long after parting they still may be,
 * the proof-of-work challenge a visitor may have to solve before it gets an
 * identity (altcha's format), and the token bucket both sides run for Next.
 * docs/PROTOCOL.md §2 and §8 are the reference.
 */

/** Why a stranger is reported: nudity or sexual content, harassment, spam or advertising, appears under age, something else. */
export const REPORT_REASONS = ["nudity", "harassment", "spam", "underage", "other"] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export function isReportReason(value: unknown): value is ReportReason {
  return REPORT_REASONS.includes(value as ReportReason);
}

/** A stranger may be reported while paired, and this long after the pair ended. */
export const REPORT_WINDOW_MS = 60_000;

/** A burst, then a steady rate: what a token bucket allows. */
export interface Rate {
  readonly burst: number;
  readonly perMinute: number;
}

export interface Bucket {
  readonly tokens: number;
  /** When `tokens` was last computed, on the caller's clock (ms). */
  readonly at: number;
}

/**
 * Takes one token from `bucket` (undefined: a full one). The server runs it
 * for Next presses and the page runs the same one, so a page never sends a
 * Next the server would refuse.
 * @example
 * let b = takeToken(undefined, { burst: 2, perMinute: 60 }, 0);     // ok, 1 left
 * b = takeToken(b.bucket, { burst: 2, perMinute: 60 }, 0);          // ok, 0 left
 * takeToken(b.bucket, { burst: 2, perMinute: 60 }, 0).retryAfterMs; // 1000
 */
export function takeToken(bucket: Bucket | undefined, rate: Rate, now: number): { ok: boolean; bucket: Bucket; retryAfterMs: number } {
  const perMs = rate.perMinute / 60_000;
  const refilled = bucket ? Math.min(rate.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs) : rate.burst;
  if (refilled >= 1) return { ok: true, bucket: { tokens: refilled - 1, at: now }, retryAfterMs: 0 };
  return { ok: false, bucket: { tokens: refilled, at: now }, retryAfterMs: Math.ceil((1 - refilled) / perMs) };
}

/** An altcha (v2) challenge as POST /api/identity sends it; the client only solves it. */
export interface Challenge {
  readonly parameters: {
    readonly algorithm: string;
    readonly nonce: string;
    readonly salt: string;
    readonly cost: number;
    readonly keyLength: number;
    readonly keyPrefix: string;
    readonly keySignature?: string;
    readonly expiresAt?: number;
  };
  readonly signature: string;
}

/** What a client sends back as the body of its next POST /api/identity. */
export interface ChallengeAnswer {
  readonly challenge: Challenge;
  readonly solution: { readonly counter: number; readonly derivedKey: string };
}

const HEX = /^[0-9a-f]{1,256}$/;

/**
 * Reads a challenge answer from a request body (parsed JSON); null unless it
 * has exactly the shape a solver produces, so nothing odd reaches the library.
 * @example
 * decodeChallengeAnswer({ challenge: { parameters: {...}, signature: "9f…" }, solution: { counter: 812, derivedKey: "0a…" } });
 */
export function decodeChallengeAnswer(body: unknown): ChallengeAnswer | null {
  if (!isObject(body) || !isObject(body.challenge) || !isObject(body.solution)) return null;
  const challenge = decodeChallenge(body.challenge);
  const { counter, derivedKey } = body.solution;
  if (!challenge || !Number.isSafeInteger(counter) || (counter as number) < 0 || typeof derivedKey !== "string" || !HEX.test(derivedKey)) {
    return null;
  }
  return { challenge, solution: { counter: counter as number, derivedKey } };
}

/** Reads a challenge (from the server's 428 answer, or inside an answer); null when it is not one. */
export function decodeChallenge(value: unknown): Challenge | null {
  if (!isObject(value) || !isObject(value.parameters) || typeof value.signature !== "string" || !HEX.test(value.signature)) return null;
  const { algorithm, nonce, salt, cost, keyLength, keyPrefix, keySignature, expiresAt } = value.parameters;
  const hex = (v: unknown): v is string => typeof v === "string" && HEX.test(v);
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
  if (typeof algorithm !== "string" || algorithm.length > 32 || !hex(nonce) || !hex(salt) || !hex(keyPrefix)) return null;
  if (!count(cost) || !count(keyLength) || (keySignature !== undefined && !hex(keySignature))) return null;
  if (expiresAt !== undefined && !count(expiresAt)) return null;
  const parameters = { algorithm, nonce, salt, cost, keyLength, keyPrefix, keySignature, expiresAt };
  // Absent fields stay absent: the signature covers the parameters' exact JSON.
  for (const key of ["keySignature", "expiresAt"] as const) if (parameters[key] === undefined) delete parameters[key];
  return { parameters, signature: value.signature };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
