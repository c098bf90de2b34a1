/**
 * Solving the server's proof-of-work challenge with altcha-lib's solver and
 * WebCrypto's PBKDF2: in Web Workers in the page (pow-worker.ts), so the
 * page stays responsive, or right here under Node (the smoke bots). It is
 * the same code either way; only where it runs differs.
 */
import { solveChallenge, solveChallengeWorkers } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/web/pbkdf2";
import type { Challenge, ChallengeAnswer } from "../src/protocol/index.ts";

export type SolveChallenge = (challenge: Challenge) => Promise<ChallengeAnswer>;

/** Past this, give up: the challenge will have expired (it lives 2 minutes). */
const TIMEOUT_MS = 90_000;

/** Solves on this thread. */
export const solveHere: SolveChallenge = async (challenge) =>
  answer(challenge, await solveChallenge({ challenge: { ...challenge }, deriveKey, timeout: TIMEOUT_MS }));

/**
 * Solves in `concurrency` Web Workers loaded from `workerUrl` (pow-worker.ts,
 * bundled), each trying every n-th counter.
 * @example
 * const solve = solveInWorkers("/assets/pow-worker-3F2A.js", 2);
 * const answer = await solve(challenge); // POST it back to /api/identity
 */
export function solveInWorkers(workerUrl: string, concurrency: number): SolveChallenge {
  return async (challenge) =>
    answer(
      challenge,
      await solveChallengeWorkers({ challenge: { ...challenge }, concurrency, timeout: TIMEOUT_MS, createWorker: () => new Worker(workerUrl) }),
    );
}

function answer(challenge: Challenge, solution: { counter: number; derivedKey: string } | null): ChallengeAnswer {
  if (!solution) throw new Error("the challenge could not be solved in time");
  return { challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } };
}
