/**
 * The HTTP side of a WebSocket upgrade, before any handshake: reading its
 * query strictly, checking the Origin a browser sends, and refusing with a
 * plain HTTP error and a JSON body. The gate itself (who is admitted) is
 * signaling.ts's.
 */
import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { Refusal } from "../refusal.ts";

/**
 * The query as one value per name; a repeated name is refused: which repeat
 * counts would be a guess (peerjs-server took the last, URLSearchParams the first).
 */
export function singleValues(params: URLSearchParams): Record<string, string | undefined> {
  const values: Record<string, string> = Object.create(null);
  for (const [name, value] of params) {
    if (name in values) throw new Refusal("bad_request", {}, `The query repeats "${name.slice(0, 40)}".`);
    values[name] = value;
  }
  return values;
}

/**
 * Browsers send the page's origin with every WebSocket upgrade, and no CORS
 * rule protects sockets: without this check any website could open signaling
 * sockets from its visitors' browsers. The page's own origin (same host as
 * the request) and the operator's `--allow-origin` pass; clients that send no
 * Origin (scripts, bots) are not browsers acting for another site.
 */
export function createOriginCheck(allowOrigin: readonly string[]): (req: IncomingMessage) => boolean {
  const allowed = new Set(allowOrigin);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowed.has(origin)) return true;
    try {
      const page = new URL(origin);
      return page.host === new URL(`${page.protocol}//${req.headers.host}`).host;
    } catch {
      return false;
    }
  };
}

/** Answers an upgrade with a plain HTTP error and a JSON body, before any handshake. */
export function refuse(socket: Duplex, refusal: Refusal): void {
  const body = refusal.body();
  const headers = Object.entries(refusal.headers()).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
      "Connection: close\r\n" + headers +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
