/**
 * Response headers that keep the page ours: no sniffing, no referrer, no
 * framing by other sites (a camera page must not be framable), camera,
 * microphone and screen capture for this origin only, and on the page a
 * Content-Security-Policy that runs only our own scripts. `--allow-origin`
 * sites may frame the page and call the API (CORS) as well.
 */
import { createHash } from "node:crypto";
import type express from "express";

/** `frame-ancestors` and the Permissions-Policy allow list, from the operator's origins. */
function sources(allowOrigin: readonly string[]): { frame: string; permitted: string } {
  return {
    frame: ["'self'", ...allowOrigin].join(" "),
    permitted: ["self", ...allowOrigin.map((o) => `"${o}"`)].join(" "),
  };
}

/**
 * Headers for every response.
 * @example
 * app.use(securityHeaders([]));
 */
export function securityHeaders(allowOrigin: readonly string[]): express.RequestHandler {
  const { frame } = sources(allowOrigin);
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    // The page's own policy below replaces this one; everything else embeds nothing.
    "Content-Security-Policy": `default-src 'none'; frame-ancestors ${frame}`,
  };
  // X-Frame-Options cannot name other sites; browsers that know frame-ancestors ignore it anyway.
  if (allowOrigin.length === 0) headers["X-Frame-Options"] = "SAMEORIGIN";
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}

/**
 * The page's policy: scripts from this origin and the inline ones given (by
 * hash), styles and images from here, Web Workers (the proof-of-work solver)
 * from here, and connections back to here only.
 * @example
 * res.set(pageHeaders([], ["window.x = 1;"]));
 */
export function pageHeaders(allowOrigin: readonly string[], inlineScripts: readonly string[]): Record<string, string> {
  const { frame, permitted } = sources(allowOrigin);
  const hashes = inlineScripts.map((script) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`);
  return {
    "Content-Security-Policy": [
      "default-src 'none'",
      `script-src 'self' ${hashes.join(" ")}`.trim(),
      "style-src 'self'",
      "img-src 'self' data:",
      "media-src 'self' blob: mediastream:",
      "connect-src 'self'",
      "worker-src 'self'",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frame}`,
    ].join("; "),
    "Permissions-Policy": `camera=(${permitted}), microphone=(${permitted}), display-capture=(${permitted})`,
  };
}

/** CORS for the operator's other origins only; everyone else gets no CORS headers at all. */
export function corsFor(allowOrigin: readonly string[]): express.RequestHandler {
  const allowed = new Set(allowOrigin);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary("Origin");
    if (origin !== undefined && allowed.has(origin)) res.set("Access-Control-Allow-Origin", origin);
    next();
  };
}
