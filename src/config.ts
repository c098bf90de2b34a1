/**
 * Configuration: defaults < --config file < CHATROULETTE_* environment < flags,
 * resolved once into a readonly, validated Config.
 *
 * Every option is described once in FIELDS; the CLI builds its flags and help
 * from that table, and every source is checked by the same parser, so a bad
 * value gets the same one-line message wherever it came from.
 */
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { createClientAddress, type TrustProxy } from "./client-ip.ts";
import { normalizeCountryCode } from "./geo/countries.ts";
import { LOG_LEVELS, type LogLevel } from "./log.ts";

export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Mount path of the signaling server, without a trailing slash. */
  readonly path: string;
  /** Allow list of ISO 3166-1 alpha-2 codes; empty admits every country. */
  readonly country: readonly string[];
  readonly blockCountry: readonly string[];
  /** What to do with addresses that have no country (loopback, LAN). */
  readonly unknownCountry: "allow" | "block";
  readonly trustProxy: TrustProxy;
  /** Origins, besides the page's own, whose pages may use the API and sockets and frame the page. */
  readonly allowOrigin: readonly string[];
  readonly maxClients: number;
  readonly logLevel: LogLevel;
  /** Handed to the page's RTCPeerConnection; config file or environment only. */
  readonly iceServers: readonly IceServer[];
}

export type ConfigKey = keyof Config;

/** A bad option, named with where it came from; the CLI prints `message` as one line. */
export class ConfigError extends Error {
  readonly code = "config_invalid";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Thrown by field parsers; says what was expected, the caller adds the source. */
class Expected extends Error {}

export interface Field<K extends ConfigKey = ConfigKey> {
  readonly key: K;
  /** commander flag syntax; undefined for options that have no flag. */
  readonly flag?: string;
  readonly env: string;
  readonly description: string;
  readonly defaultValue: Config[K];
  /** The default in words, where its value alone would not say it (an empty allow list admits everyone). */
  readonly defaultText?: string;
  /** Accepts a string (flag, environment) or a JSON value (file). */
  readonly parse: (raw: unknown) => Config[K];
}

const field = <K extends ConfigKey>(spec: Field<K>): Field<K> => spec;

export const FIELDS = [
  field({
    key: "port",
    flag: "--port <number>",
    env: "CHATROULETTE_PORT",
    description: "TCP port to listen on; 0 picks a free port",
    defaultValue: 8080,
    parse: (raw) => integer(raw, 0, 65535),
  }),
  field({
    key: "host",
    flag: "--host <address>",
    env: "CHATROULETTE_HOST",
    description: "address to bind; 127.0.0.1 for this machine only, :: for IPv6",
    defaultValue: "0.0.0.0",
    parse: parseHost,
  }),
  field({
    key: "path",
    flag: "--path <path>",
    env: "CHATROULETTE_PATH",
    description: "where the signaling server is mounted (the socket is <path>/peerjs)",
    defaultValue: "/signaling",
    parse: parsePath,
  }),
  field({
    key: "country",
    flag: "--country <codes>",
    env: "CHATROULETTE_COUNTRY",
    description: "admit only these countries (ISO 3166-1 alpha-2, comma-separated or repeated)",
    defaultText: "every country",
    defaultValue: [],
    parse: countries,
  }),
  field({
    key: "blockCountry",
    flag: "--block-country <codes>",
    env: "CHATROULETTE_BLOCK_COUNTRY",
    description: "refuse these countries (comma-separated or repeated)",
    defaultValue: [],
    parse: countries,
  }),
  field({
    key: "unknownCountry",
    flag: "--unknown-country <policy>",
    env: "CHATROULETTE_UNKNOWN_COUNTRY",
    description: "allow or block visitors whose address has no country (loopback, LAN)",
    defaultValue: "allow",
    parse: (raw) => oneOf(raw, ["allow", "block"] as const),
  }),
  field({
    key: "trustProxy",
    flag: "--trust-proxy <value>",
    env: "CHATROULETTE_TRUST_PROXY",
    description: "proxies whose X-Forwarded-For is believed: loopback, IPs/CIDRs, a hop count",
    defaultText: "nobody",
    defaultValue: false,
    parse: parseTrustProxy,
  }),
  field({
    key: "allowOrigin",
    flag: "--allow-origin <origins>",
    env: "CHATROULETTE_ALLOW_ORIGIN",
    description: "other sites that may embed the page or use its API and sockets (https://site.example, comma-separated)",
    defaultText: "the page's own origin only",
    defaultValue: [],
    parse: origins,
  }),
  field({
    key: "maxClients",
    flag: "--max-clients <number>",
    env: "CHATROULETTE_MAX_CLIENTS",
    description: "signaling connections held at once; further ones are refused with 503",
    defaultValue: 50_000,
    parse: (raw) => integer(raw, 1, 10_000_000),
  }),
  field({
    key: "logLevel",
    flag: "--log-level <level>",
    env: "CHATROULETTE_LOG_LEVEL",
    description: `one of ${LOG_LEVELS.join(", ")}`,
    defaultValue: "info",
    parse: (raw) => oneOf(raw, LOG_LEVELS),
  }),
  field({
    key: "iceServers",
    env: "CHATROULETTE_ICE_SERVERS",
    description: "STUN/TURN servers for the page, as a JSON array of RTCIceServer",
    defaultValue: [{ urls: "stun:stun.l.google.com:19302" }],
    parse: parseIceServers,
  }),
] as const satisfies readonly Field[];

export const CONFIG_ENV = "CHATROULETTE_CONFIG";

export const DEFAULTS: Config = Object.fromEntries(FIELDS.map((f) => [f.key, f.defaultValue])) as unknown as Config;

export interface ConfigSources {
  /** Raw strings from the command line, by key (only options the user gave). */
  readonly flags?: Partial<Record<ConfigKey | "config", string>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Resolves flags, environment and the optional config file into a Config.
 * @example
 * const config = await loadConfig({ flags: { port: "0" }, env: process.env });
 * @throws ConfigError naming the option, the bad value and what is expected
 */
export async function loadConfig({ flags = {}, env = {} }: ConfigSources): Promise<Config> {
  const configPath = flags.config ?? env[CONFIG_ENV];
  const source = flags.config !== undefined ? `--config "${flags.config}"` : `${CONFIG_ENV} "${configPath}"`;
  const file = configPath === undefined ? {} : parseConfigFile(await readText(configPath, source), source);
  return resolveConfig({ flags, env, file, fileName: configPath });
}

/** The pure part of loadConfig: `file` is the already-parsed JSON object. */
export function resolveConfig(
  { flags = {}, env = {}, file = {}, fileName = "config file" }: ConfigSources & {
    file?: Readonly<Record<string, unknown>>;
    fileName?: string;
  },
): Config {
  const known = new Set<string>(FIELDS.map((f) => f.key));
  for (const key of Object.keys(file)) {
    if (!known.has(key) && !key.startsWith("//")) {
      throw new ConfigError(`Unknown key "${key}" in ${fileName}: expected one of ${[...known].join(", ")}`);
    }
  }
  const config: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const flagName = f.flag?.split(" ")[0];
    const flag = flags[f.key];
    if (flag !== undefined) config[f.key] = parseFrom(f, flag, `${flagName}`);
    else if (env[f.env] !== undefined) config[f.key] = parseFrom(f, env[f.env], f.env);
    else if (file[f.key] !== undefined) config[f.key] = parseFrom(f, file[f.key], `"${f.key}"`, ` in ${fileName}`);
    else config[f.key] = f.defaultValue;
  }
  const resolved = config as unknown as Config;
  const both = resolved.country.filter((c) => resolved.blockCountry.includes(c));
  if (both.length > 0) {
    throw new ConfigError(
      `Invalid country policy: ${both.join(", ")} both allowed (--country) and blocked (--block-country); expected each code in one list`,
    );
  }
  return Object.freeze(resolved);
}

function parseFrom(f: Field, raw: unknown, name: string, where = ""): unknown {
  try {
    return f.parse(raw);
  } catch (error) {
    if (!(error instanceof Expected)) throw error;
    throw new ConfigError(`Invalid ${name} ${show(raw)}${where}: expected ${error.message}`);
  }
}

async function readText(path: string, source: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(`Cannot read ${source}: ${reason}`);
  }
}

function parseConfigFile(text: string, source: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Invalid ${source}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`Invalid ${source}: expected a JSON object of options, got ${show(json)}`);
  }
  return json as Record<string, unknown>;
}

function show(raw: unknown): string {
  const text = typeof raw === "string" ? `"${raw}"` : JSON.stringify(raw) ?? String(raw);
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

function integer(raw: unknown, min: number, max: number): number {
  const value = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Expected(`an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<const T extends string>(raw: unknown, choices: readonly T[]): T {
  if (typeof raw !== "string" || !choices.includes(raw as T)) throw new Expected(`one of ${choices.join(", ")}`);
  return raw as T;
}

function parseHost(raw: unknown): string {
  const hostname = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
  if (typeof raw !== "string" || !(isIP(raw) || hostname.test(raw))) {
    throw new Expected("an IP address or host name such as 0.0.0.0, 127.0.0.1 or ::");
  }
  return raw;
}

function parsePath(raw: unknown): string {
  const expected = 'a URL path such as "/signaling" (letters, digits, "-", "_", "/"), not "/" or under /api';
  if (typeof raw !== "string" || !/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(raw)) throw new Expected(expected);
  const path = raw.replace(/\/$/, "");
  if (/^\/(api|healthz|assets)(\/|$)/.test(path)) throw new Expected(expected);
  return path;
}

function list(raw: unknown): string[] {
  if (typeof raw === "string") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(raw) && raw.every((s) => typeof s === "string")) return raw.map((s) => s.trim());
  throw new Expected("a comma-separated string or an array of strings");
}

function countries(raw: unknown): string[] {
  const codes = list(raw).map((code) => {
    const normalized = normalizeCountryCode(code);
    if (!normalized) throw new Expected(`ISO 3166-1 alpha-2 codes such as "IN" ("${code}" is not one)`);
    return normalized;
  });
  return [...new Set(codes)];
}

function origins(raw: unknown): string[] {
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

function parseTrustProxy(raw: unknown): TrustProxy {
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

function parseIceServers(raw: unknown): IceServer[] {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Expected('a JSON array such as [{"urls":"stun:stun.example.org:3478"}]');
    }
  }
  const isUrl = (u: unknown) => typeof u === "string" && /^(stun|stuns|turn|turns):/.test(u);
  const ok = Array.isArray(value) && value.every((s) =>
    typeof s === "object" && s !== null &&
    (isUrl(s.urls) || (Array.isArray(s.urls) && s.urls.length > 0 && s.urls.every(isUrl))) &&
    (s.username === undefined || typeof s.username === "string") &&
    (s.credential === undefined || typeof s.credential === "string")
  );
  if (!ok) throw new Expected('an array of {"urls": "stun:…"|"turn:…", "username"?, "credential"?}');
  return value as IceServer[];
}
