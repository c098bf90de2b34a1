/**
 * The Web Worker that solves proof-of-work challenges (see pow.ts), bundled
 * on its own: altcha-lib's worker protocol over WebCrypto's PBKDF2.
 */
import { deriveKey } from "altcha-lib/algorithms/web/pbkdf2";
import { handler } from "altcha-lib/workers/shared";

handler({ deriveKey });
