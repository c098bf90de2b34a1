/**
 * Value parsers for the config fields. Each accepts a string (a flag or an
 * environment variable) or a JSON value (the config file), returns the
 * resolved value, or throws Expected saying what was expected; the caller
 * names the source and the bad value (see load.ts).
 */
import { isIP } from "node:net";
import { createClientAddress, type TrustProxy } from "../client-ip.ts";
import { normalizeCountryCode } from "../geo/countries.ts";
import type { IceServer } from "../protocol/index.ts";

/** What a parser expected, in words: "an integer from 0 to 65535". */
export class Expected extends Error {}

export function integer(raw: unknown, min: number, max: number): number {
  const value = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Expected(`an integer from ${min} to ${max}`);
  }
  return value;
}

export function boolean(raw: unknown): boolean {
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new Expected("true or false");
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
  if (/^\/(api|healthz|assets)(\/|$)/.test(trimmed)) throw new Expected(expected);
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
  const isUrl = (u: unknown) => typeof u === "string" && /^(stun|stuns|turn|turns):/.test(u);
  const isServer = (s: unknown): s is IceServer => {
    if (typeof s !== "object" || s === null) return false;
    const { urls, username, credential } = s as Record<string, unknown>;
    return (isUrl(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(isUrl))) &&
      (username === undefined || typeof username === "string") &&
      (credential === undefined || typeof credential === "string");
  };
  if (!Array.isArray(value) || !value.every(isServer)) {
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

/** A secret is never printed, not even when it is refused: only its length. */
export function redactSecret(raw: unknown): string {
  return typeof raw === "string" ? `(${raw.length} characters, not shown)` : `(a ${typeof raw}, not shown)`;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "24h", "7d", or a number of seconds → milliseconds, from `min` to `max` ms. */
export function duration(raw: unknown, min: number, max: number): number {
  const expected = `a duration from ${words(min)} to ${words(max)}, such as 90s, 30m, 24h or 7d`;
  const match = typeof raw === "string" ? /^\s*(\d{1,9})\s*([smhd]?)\s*$/.exec(raw) : null;
  const ms = match ? Number(match[1]) * UNIT_MS[(match[2] || "s") as keyof typeof UNIT_MS] : typeof raw === "number" ? raw * 1000 : NaN;
  if (!Number.isInteger(ms) || ms < min || ms > max) throw new Expected(expected);
  return ms;
}

/** A duration in its largest whole unit: 86400000 → "1d"; 90000 → "90s". */
export function words(ms: number): string {
  for (const unit of ["d", "h", "m"] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

/** A secret given by the operator: 16 to 256 visible characters; "" leaves the feature off. */
export function secret(raw: unknown): string {
  if (raw === "") return "";
  if (typeof raw !== "string" || !/^[\x21-\x7e]{16,256}$/.test(raw)) {
    throw new Expected("at least 16 visible ASCII characters without spaces, e.g. from `openssl rand -hex 24`");
  }
  return raw;
}

/** A readable file's path (read when the server starts); "" for none. */
export function filePath(raw: unknown): string {
  if (typeof raw !== "string" || raw.includes("\0") || raw.length > 4096) throw new Expected("a file path");
  return raw;
}
