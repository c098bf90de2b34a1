/**
 * The page's identity request (POST /api/identity), as the server's
 * admission answers it: an identity; a challenge to solve first (428, then
 * the answer is posted back); or a refusal the page shows or waits out:
 * a blocked country, a ban (until when), a rate limit (retry after).
 */
import { type Challenge, decodeChallenge, decodeRefusal, type Identity, REFUSALS, type RefusalBody } from "../src/protocol/index.ts";
import type { SolveChallenge } from "./pow.ts";

/** The server refused this visitor for good (country); do not retry. */
export class Blocked extends Error {
  override name = "Blocked";
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
  return async () => {
    // The page may have asked already, before its script loaded; later requests (reconnects) ask anew.
    let res = await (first ?? post());
    first = undefined;
    if (res.status === 428) {
      const challenge = decodeChallenge((await refusal(res))?.challenge);
      if (!challenge || !solve) throw new Error("identity: the server asks for a challenge this client cannot solve");
      res = await post(await solve(challenge as Challenge));
    }
    if (res.ok) return await res.json() as Identity;
    const body = await refusal(res);
    if (res.status === 403 && body?.error === "banned" && typeof body.until === "string") throw new Banned(body.message, Date.parse(body.until));
    if (res.status === 403 && (!body || body.error === "country_blocked")) throw new Blocked(body?.message ?? REFUSALS.country_blocked.message);
    if (res.status === 429) {
      const seconds = Number(res.headers.get("Retry-After") ?? body?.retryAfter ?? 60);
      throw new RateLimited(body?.message ?? REFUSALS.rate_limited.message, (Number.isFinite(seconds) ? seconds : 60) * 1000);
    }
    // Anything else (a challenge that expired while solving, a server starting): retried with backoff.
    throw new Error(`identity: HTTP ${res.status}${body ? ` ${body.error}` : ""}`);
  };
}

async function refusal(res: Response): Promise<RefusalBody | null> {
  return decodeRefusal(await res.json().catch(() => null));
}
