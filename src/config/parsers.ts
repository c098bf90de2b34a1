/**
 * Value parsers for the config fields. Each accepts a string (a flag or an
 * environment variable) or a JSON value (the config file), returns the
 * resolved value, or throws Expected saying what was expected; the caller
 * names the source and the bad value (see load.ts).
 */
import { isIP } from "node:net";
import { createClientAddress, type TrustProxy } from "../client-ip.ts";
import { normalizeCountryCode } from "../geo/countries.ts";
import { type IceServer, isIceServer } from "../protocol/index.ts";

/** What a parser expected, in words: "an integer from 0 to 65535". */
export class Expected extends Error {}

export function integer(raw: unknown, min: number, max: number): number {
  const value = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Expected(`an integer from ${min} to ${max}`);
  }
  return value;
}

export function oneOf<const T extends string>(raw: unknown, choices: readonly T[]): T {
  if (typeof raw !== "string" || !choices.includes(raw as T)) throw new Expected(`one of ${choices.join(", ")}`);
  return raw as T;
}

export function host(raw: unknown): string {
  const hostname = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
  if (typeof raw !== "string" || !(isIP(raw) || hostname.test(raw))) {
    throw new Expected("an IP address or host name such as 0.0.0.0, 127.0.0.1 or ::");
  }
  return raw;
}

export function path(raw: unknown): string {
  const expected = 'a URL path such as "/signaling" (letters, digits, "-", "_", "/"), not "/" or under /api';
  if (typeof raw !== "string" || !/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(raw)) throw new Expected(expected);
  const trimmed = raw.replace(/\/$/, "");
  if (/^\/(api|healthz|readyz|assets)(\/|$)/.test(trimmed)) throw new Expected(expected);
  return trimmed;
}

/** "a, b" or ["a", "b"] → ["a", "b"]. */
export function list(raw: unknown): string[] {
  if (typeof raw === "string") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(raw) && raw.every((s) => typeof s === "string")) return raw.map((s) => s.trim());
  throw new Expected("a comma-separated string or an array of strings");
}

export function countries(raw: unknown): string[] {
  const codes = list(raw).map((code) => {
    const normalized = normalizeCountryCode(code);
    if (!normalized) throw new Expected(`ISO 3166-1 alpha-2 codes such as "IN" ("${code}" is not one)`);
    return normalized;
  });
  return [...new Set(codes)];
}

export function origins(raw: unknown): string[] {
  const parsed = list(raw).map((text) => {
    const url = URL.canParse(text) ? new URL(text) : null;
    // An origin is a scheme, a host and a port: nothing after them.
    const bare = url && url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password && !text.endsWith("#");
    if (!url || !bare || !["http:", "https:"].includes(url.protocol)) {
      throw new Expected(`origins such as "https://chat.example.org" ("${text}" is not one)`);
    }
    return url.origin;
  });
  return [...new Set(parsed)];
}

export function trustProxy(raw: unknown): TrustProxy {
  const expected = 'false, true, a hop count such as 1, or addresses/CIDRs/"loopback"/"linklocal"/"uniquelocal"';
  let value: TrustProxy;
  if (typeof raw === "boolean" || raw === "true" || raw === "false") value = raw === true || raw === "true";
  else if (typeof raw === "number" || (typeof raw === "string" && /^\d+$/.test(raw.trim()))) {
    value = integer(raw, 0, 100);
  } else {
    try {
      value = list(raw);
    } catch {
      throw new Expected(expected);
    }
  }
  try {
    createClientAddress(value); // compiles the rule: rejects "10.0.0.0/99", "my-proxy", …
  } catch (error) {
    throw new Expected(`${expected} (${(error as Error).message})`);
  }
  return Array.isArray(value) && value.length === 0 ? false : value;
}

export function iceServers(raw: unknown): IceServer[] {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Expected('a JSON array such as [{"urls":"stun:stun.example.org:3478"}]');
    }
  }
  if (!Array.isArray(value) || !value.every(isIceServer)) {
    throw new Expected('an array of {"urls": "stun:…"|"turn:…", "username"?, "credential"?}');
  }
  return value;
}

/** Redis URLs as node-redis reads them: redis[s]://[[user]:password@]host[:port][/db]. */
export function redisUrl(raw: unknown): string | null {
  if (raw === null) return null; // a config file's way to say "none"
  const expected = "a URL such as redis://127.0.0.1:6379, redis://:password@host:6379/2 or rediss://host:6380 (TLS)";
  const url = typeof raw === "string" && URL.canParse(raw) ? new URL(raw) : null;
  if (!url || !["redis:", "rediss:"].includes(url.protocol) || !url.hostname || url.search || url.hash) {
    throw new Expected(expected);
  }
  if (!/^\/?(\d{1,5})?$/.test(url.pathname)) throw new Expected(`${expected}; the path is a database number`);
  return raw as string;
}

/** The URL with its password hidden, for logs; for an error, quoted, or withheld when it does not parse. */
export function redactUrl(raw: unknown, quoted = false): string {
  if (typeof raw !== "string") return JSON.stringify(raw) ?? String(raw);
  if (!URL.canParse(raw)) return "(not a URL; not shown, as it may hold a password)";
  const url = new URL(raw);
  if (url.password) url.password = "***";
  return quoted ? JSON.stringify(url.href) : url.href;
}

/**
 * The identity key. Anyone who knows it can mint identities, so a short or
 * repetitive one is refused rather than used: 32 characters of `openssl rand
 * -base64 32` carry 192 bits; a phrase needs its length to be worth as much.
 */
export const SECRET_LENGTH = { min: 32, max: 1024, distinct: 8 } as const;

export function identitySecret(raw: unknown): string | null {
  if (raw === null) return null;
  const expected = `${SECRET_LENGTH.min} to ${SECRET_LENGTH.max} characters with at least ${SECRET_LENGTH.distinct} different ones, ` +
    'such as the output of "openssl rand -base64 32"';
  if (typeof raw !== "string" || raw.length < SECRET_LENGTH.min || raw.length > SECRET_LENGTH.max) throw new Expected(expected);
  if (new Set(raw).size < SECRET_LENGTH.distinct) throw new Expected(expected);
  return raw;
}

/** The host and port part of a STUN or TURN URL (RFC 7064/7065): a name, IPv4, or [IPv6], and a port. */
const ICE_HOST = String.raw`(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?`;
const STUN_URL = new RegExp(`^stuns?:${ICE_HOST}$`);
const TURN_URL = new RegExp(`^turns?:${ICE_HOST}(\\?transport=(udp|tcp))?$`);

/** STUN servers: "none" for none. */
export function stunUrls(raw: unknown): string[] {
  if (raw === "none") return [];
  const expected = 'stun: URLs such as "stun:stun.example.org:3478" (comma-separated), or "none"';
  const urls = list(raw);
  for (const url of urls) if (!STUN_URL.test(url)) throw new Expected(`${expected} ("${url}" is not one)`);
  return urls;
}

export function turnUrls(raw: unknown): string[] {
  const urls = list(raw);
  for (const url of urls) {
    if (!TURN_URL.test(url)) {
      throw new Expected(`turn: or turns: URLs such as "turn:turn.example.org:3478?transport=udp" (comma-separated; "${url}" is not one)`);
    }
  }
  return urls;
}

/**
 * A bearer token the operator chose (the moderator API's): 16 to 256 visible
 * characters; "" leaves the feature off. Shorter than a TURN secret may be:
 * it can only be guessed online, one logged request at a time.
 */
export function token(raw: unknown): string {
  if (raw === "") return "";
  if (typeof raw !== "string" || !/^[\x21-\x7e]{16,256}$/.test(raw)) {
    throw new Expected("at least 16 visible ASCII characters without spaces, e.g. from `openssl rand -hex 24`");
  }
  return raw;
}

/** Shortest TURN secret accepted: every visitor sees a username and its HMAC, so a short secret can be guessed offline. */
export const MIN_SECRET_LENGTH = 32;

/** A shared secret; "" for none. Never echoed back: the caller shows only its length. */
export function secret(raw: unknown): string {
  if (raw === "") return "";
  if (typeof raw !== "string" || raw.length < MIN_SECRET_LENGTH || /[\s\x00-\x1f\x7f]/.test(raw)) {
    throw new Expected(
      `at least ${MIN_SECRET_LENGTH} characters without spaces, the same as coturn's static-auth-secret (make one with: openssl rand -hex 32)`,
    );
  }
  return raw;
}

const UNIT_SECONDS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, from 3600, "3600", "90m", "1h" or "1d". */
export function duration(raw: unknown, min: number, max: number): number {
  const match = typeof raw === "string" ? /^\s*(\d+)\s*([smhd]?)\s*$/.exec(raw) : null;
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]] : raw;
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new Expected(`a duration from ${min} s to ${max / 3600} h, in seconds or as "90m", "1h", "1d"`);
  }
  return seconds;
}

export function boolean(raw: unknown): boolean {
  if (raw === true || raw === "true" || raw === "1" || raw === "yes") return true;
  if (raw === false || raw === "false" || raw === "0" || raw === "no" || raw === "") return false;
  throw new Expected("true or false");
}

/** A file path; "" for none. The file is read when the server starts. */
export function file(raw: unknown): string {
  if (typeof raw !== "string" || /[\x00-\x1f]/.test(raw)) throw new Expected("a file path");
  return raw.trim();
}

/** A port, or null ("off") for a listener that is not started. */
export function optionalPort(raw: unknown): number | null {
  if (raw === null || raw === "off" || raw === "") return null;
  try {
    return integer(raw, 0, 65535);
  } catch {
    throw new Expected('"off", or an integer from 0 to 65535 (0 picks a free port)');
  }
}
