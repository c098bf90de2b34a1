/**
 * The page's identity request (POST /api/identity), as the server's
 * admission answers it: an identity; a challenge to solve first (428, then
 * the answer is posted back); or a refusal the page shows or waits out:
 * a blocked country, a ban (until when), a rate limit (retry after).
 */
import {
  type Challenge,
  decodeChallenge,
  decodeIdentity,
  decodeRefusal,
  type Identity,
  type RefusalBody,
  type RefusalCode,
} from "../src/protocol/index.ts";
import type { SolveChallenge } from "./pow.ts";

/** The server refused this visitor for good (its country); do not retry. The page says why in its own words. */
export class Blocked extends Error {
  override name = "Blocked";
  readonly code: RefusalCode;
  /** The country, for country_blocked: an ISO code, or null when unknown. */
  readonly country: string | null;
  constructor(message: string, code: RefusalCode = "country_blocked", country: string | null = null) {
    super(message);
    this.code = code;
    this.country = country;
  }
}

/** This visitor's address is banned until `until` (ms since the epoch). */
export class Banned extends Error {
  override name = "Banned";
  readonly until: number;
  constructor(message: string, until: number) {
    super(message);
    this.until = until;
  }
}

/** Too many requests from this address: try again after `retryAfterMs`. */
export class RateLimited extends Error {
  override name = "RateLimited";
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export type RequestIdentity = () => Promise<Identity>;

/**
 * POST /api/identity, solving a challenge with `solve` when the server asks
 * for one. The first call may use the request the HTML started early.
 * @example
 * const requestIdentity = identityRequester("", window.earlyIdentity, solveInWorkers(url, 2));
 * const { id, token } = await requestIdentity(); // or throws Blocked, Banned, RateLimited
 */
export function identityRequester(origin = "", early?: Promise<Response>, solve?: SolveChallenge): RequestIdentity {
  let first = early;
  const post = (body?: unknown) =>
    fetch(`${origin}/api/identity`, {
      method: "POST",
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    });
  const answered = async (res: Response) => {
    if (res.status !== 428) return res;
    const challenge = decodeChallenge((await refusal(res))?.challenge);
    if (!challenge || !solve) throw new Error("identity: the server asks for a challenge this client cannot solve");
    return await post(await solve(challenge as Challenge));
  };
  return async () => {
    // The page may have asked already, before its script loaded; later requests (reconnects) ask anew.
    const early = first;
    first = undefined;
    let res = await answered(await (early ?? post()));
    let body = res.ok ? null : await refusal(res);
    // The early request's challenge expires (2 minutes) while a visitor reads the rules: ask for a fresh one.
    if (early && res.status === 403 && body?.error === "challenge_expired") {
      res = await answered(await post());
      body = res.ok ? null : await refusal(res);
    }
    if (res.ok) {
      // With TURN, the identity carries this visitor's credentials: checked before use.
      const identity = decodeIdentity(await res.json().catch(() => null));
      if (!identity) throw new Error("identity: not an identity");
      return identity;
    }
    if (res.status === 403 && body?.error === "banned" && typeof body.until === "string") throw new Banned(body.message, Date.parse(body.until));
    if (res.status === 403 && (!body || body.error === "country_blocked")) {
      const country = typeof body?.country === "string" ? body.country : null;
      throw new Blocked(body?.message ?? "country blocked", "country_blocked", country);
    }
    if (res.status === 429) {
      const seconds = Number(res.headers.get("Retry-After") ?? body?.retryAfter ?? 60);
      throw new RateLimited(body?.message ?? "rate limited", (Number.isFinite(seconds) ? seconds : 60) * 1000);
    }
    // Anything else (a challenge that expired while solving, a server starting): retried with backoff.
    throw new Error(`identity: HTTP ${res.status}${body ? ` ${body.error}` : ""}`);
  };
}

async function refusal(res: Response): Promise<RefusalBody | null> {
  return decodeRefusal(await res.json().catch(() => null));
}
