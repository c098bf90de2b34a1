/**
 * The client's address, honouring only the operator's --trust-proxy rule.
 *
 * Headers a client can set (X-Forwarded-For, X-Real-IP, X-Client-IP, …) are
 * ignored unless the socket peer is a trusted proxy; then X-Forwarded-For is
 * walked from the right exactly as Express's `trust proxy` does (proxy-addr).
 */
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/** false: trust nobody; true: everyone; n: n hops; list: names/IPs/CIDRs. */
export type TrustProxy = boolean | number | readonly string[];

export type ClientAddress = (req: IncomingMessage) => string;

/**
 * Compiles a trust rule once; throws TypeError on an invalid address.
 * @example
 * const clientAddress = createClientAddress(["loopback"]);
 * clientAddress(req); // the first untrusted hop, e.g. "203.0.113.7"
 */
export function createClientAddress(trust: TrustProxy): ClientAddress {
  const trusts = compileTrust(trust);
  return (req) =>
    normalize(trust === false ? req.socket.remoteAddress : proxyAddr(req as Parameters<typeof proxyAddr>[0], trusts));
}

function compileTrust(trust: TrustProxy): (addr: string, hop: number) => boolean {
  if (typeof trust === "boolean") return () => trust;
  if (typeof trust === "number") return (_addr, hop) => hop < trust;
  return proxyAddr.compile([...trust]);
}

function normalize(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
