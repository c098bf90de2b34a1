/**
 * Every option, described once: its flag, environment variable, default and
 * parser. The CLI builds its flags and --help from this table, and load.ts
 * resolves every source through the same parsers. The table `satisfies` a
 * mapped type over Config's keys, so a field added to Config without its
 * entry here does not compile.
 */
import type { TrustProxy } from "../client-ip.ts";
import { LOG_LEVELS, type LogLevel } from "../log.ts";
import type { IceServer } from "../protocol/index.ts";
import * as parse from "./parsers.ts";


/** The resolved configuration: every option has its value. */
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
  /** Seconds a visitor with interests or a language holds out for someone who shares one. */
  readonly interestWait: number;
  /** Visitors may declare their gender and whom they want to meet (a hard filter both ways). */
  readonly preferences: boolean;
  readonly logLevel: LogLevel;
  /** PEM files: when both are set the server speaks HTTPS and WSS itself ("" for plain HTTP). */
  readonly tlsCert: string;
  readonly tlsKey: string;
  /** STUN servers for the page; empty for none. */
  readonly stunUrl: readonly string[];
  /** TURN servers sharing `turnSecret` (coturn's static-auth-secret); empty for none. */
  readonly turnUrl: readonly string[];
  readonly turnSecret: string;
  /** Lifetime of each visitor's TURN credentials, in seconds. */
  readonly turnTtl: number;
  /** Media always through TURN: strangers never learn each other's addresses. */
  readonly relayOnly: boolean;
  /** Port of the Prometheus listener; null when it is off. */
  readonly metricsPort: number | null;
  readonly metricsHost: string;
  /** More ICE servers for the page, besides stunUrl and turnUrl; config file or environment only. */
  readonly iceServers: readonly IceServer[];
  /** Redis shared by every process of a cluster; null keeps matchmaking in this process's memory. */
  readonly redis: string | null;
  /** The key identities are signed with, shared by every process; null: a random one per process. */
  readonly secret: string | null;
  /** The age visitors confirm before the camera; 0 turns the consent screen off. */
  readonly minAge: number;
  /** File of rules shown on the consent screen (text); "" for the built-in ones. */
  readonly rules: string;
  /** Distinct reporter addresses within banWindow that ban a visitor. */
  readonly banReports: number;
  readonly banWindow: number;
  /** The first ban's length (ms); each further ban within 30 days doubles it, up to 30 days. */
  readonly banDuration: number;
  /** Signaling sockets one address may hold; 0: no limit. */
  readonly maxPerAddress: number;
  /** Identity requests per address per minute; 0: no limit. */
  readonly identitiesPerMinute: number;
  readonly nextBurst: number;
  readonly nextPerMinute: number;
  readonly challenge: "off" | "auto" | "always";
  /** With challenge "auto", everyone is challenged while identities are asked for faster than this per minute. */
  readonly challengeAbove: number;
  /** Bearer token of the moderator API; "" turns the API off. */
  readonly adminToken: string;
}

export type ConfigKey = keyof Config;

/**
 * What a config file, or a caller of resolveConfig, may give: any option,
 * as its resolved value or as the text a flag would carry.
 * @example
 * const input: ConfigInput = { port: 0, country: "IN,NP", trustProxy: "loopback" };
 */
export type ConfigInput = { readonly [K in ConfigKey]?: Config[K] | string };

export interface Field<K extends ConfigKey> {
  /** commander flag syntax; absent for options that have no flag. */
  readonly flag?: string;
  readonly env: string;
  readonly description: string;
  readonly defaultValue: Config[K];
  /** The default in words, where its value alone would not say it (an empty allow list admits everyone). */
  readonly defaultText?: string;
  /** Accepts a string (flag, environment) or a JSON value (file); throws parse.Expected. */
  readonly parse: (raw: unknown) => Config[K];
  /** The flag may be given more than once; the values are joined with commas. */
  readonly repeatable?: boolean;
  /** Never shown: an error about it gives its length, not its value. */
  readonly secret?: boolean;
  /** How a bad value is shown in an error when it may hold a password (a URL's). */
  readonly redact?: (raw: unknown) => string;
}

export const FIELDS = {
  port: {
    flag: "--port <number>",
    env: "CHATROULETTE_PORT",
    description: "TCP port to listen on; 0 picks a free port",
    defaultValue: 8080,
    parse: (raw) => parse.integer(raw, 0, 65535),
  },
  host: {
    flag: "--host <address>",
    env: "CHATROULETTE_HOST",
    description: "address to bind; 127.0.0.1 for this machine only, :: for IPv6",
    defaultValue: "0.0.0.0",
    parse: parse.host,
  },
  path: {
    flag: "--path <path>",
    env: "CHATROULETTE_PATH",
    description: "where the signaling server is mounted (the socket is <path>/peerjs)",
    defaultValue: "/signaling",
    parse: parse.path,
  },
  country: {
    flag: "--country <codes>",
    env: "CHATROULETTE_COUNTRY",
    description: "admit only these countries (ISO 3166-1 alpha-2, comma-separated or repeated)",
    defaultText: "every country",
    defaultValue: [],
    parse: parse.countries,
    repeatable: true,
  },
  blockCountry: {
    flag: "--block-country <codes>",
    env: "CHATROULETTE_BLOCK_COUNTRY",
    description: "refuse these countries (comma-separated or repeated)",
    defaultValue: [],
    parse: parse.countries,
    repeatable: true,
  },
  unknownCountry: {
    flag: "--unknown-country <policy>",
    env: "CHATROULETTE_UNKNOWN_COUNTRY",
    description: "allow or block visitors whose address has no country (loopback, LAN)",
    defaultValue: "allow",
    parse: (raw) => parse.oneOf(raw, ["allow", "block"] as const),
  },
  trustProxy: {
    flag: "--trust-proxy <value>",
    env: "CHATROULETTE_TRUST_PROXY",
    description: "proxies whose X-Forwarded-For is believed: loopback, IPs/CIDRs, a hop count",
    defaultText: "nobody",
    defaultValue: false,
    parse: parse.trustProxy,
  },
  allowOrigin: {
    flag: "--allow-origin <origins>",
    env: "CHATROULETTE_ALLOW_ORIGIN",
    description: "other sites that may embed the page or use its API and sockets (https://site.example, comma-separated)",
    defaultText: "the page's own origin only",
    defaultValue: [],
    parse: parse.origins,
    repeatable: true,
  },
  maxClients: {
    flag: "--max-clients <number>",
    env: "CHATROULETTE_MAX_CLIENTS",
    description: "signaling connections held at once; further ones are refused with 503",
    defaultValue: 50_000,
    parse: (raw) => parse.integer(raw, 1, 10_000_000),
  },
  interestWait: {
    flag: "--interest-wait <seconds>",
    env: "CHATROULETTE_INTEREST_WAIT",
    description: "seconds a visitor with interests or a language waits for someone who shares one, then meets anyone",
    defaultValue: 5,
    parse: (raw) => parse.integer(raw, 0, 600),
  },
  preferences: {
    flag: "--preferences",
    env: "CHATROULETTE_PREFERENCES",
    description: 'show "I am" and "Show me" (gender, self-declared): a filter both ways; off, such fields are ignored',
    defaultValue: false,
    parse: parse.boolean,
  },
  logLevel: {
    flag: "--log-level <level>",
    env: "CHATROULETTE_LOG_LEVEL",
    description: `one of ${LOG_LEVELS.join(", ")}`,
    defaultValue: "info",
    parse: (raw) => parse.oneOf(raw, LOG_LEVELS),
  },
  tlsCert: {
    flag: "--tls-cert <file>",
    env: "CHATROULETTE_TLS_CERT",
    description: "serve HTTPS and WSS with this PEM certificate chain (with --tls-key); SIGHUP reloads both",
    defaultText: "none, plain HTTP",
    defaultValue: "",
    parse: parse.file,
  },
  tlsKey: {
    flag: "--tls-key <file>",
    env: "CHATROULETTE_TLS_KEY",
    description: "the PEM private key of --tls-cert",
    defaultText: "none",
    defaultValue: "",
    parse: parse.file,
  },
  stunUrl: {
    flag: "--stun-url <urls>",
    env: "CHATROULETTE_STUN_URL",
    description: 'STUN servers for the page (stun:host:port, comma-separated), or "none"',
    defaultValue: ["stun:stun.l.google.com:19302"],
    parse: parse.stunUrls,
    repeatable: true,
  },
  turnUrl: {
    flag: "--turn-url <urls>",
    env: "CHATROULETTE_TURN_URL",
    description: "TURN servers (turn:host:port?transport=udp, turns:…, comma-separated) that share --turn-secret",
    defaultText: "none",
    defaultValue: [],
    parse: parse.turnUrls,
    repeatable: true,
  },
  turnSecret: {
    flag: "--turn-secret <secret>",
    env: "CHATROULETTE_TURN_SECRET",
    description: "coturn's static-auth-secret (use-auth-secret): each visitor gets short-lived credentials; " +
      "prefer the environment variable, flags show in ps",
    defaultText: "none",
    defaultValue: "",
    parse: parse.secret,
    secret: true,
  },
  turnTtl: {
    flag: "--turn-ttl <duration>",
    env: "CHATROULETTE_TURN_TTL",
    description: 'how long each visitor\'s TURN credentials last (seconds, or "30m", "1h")',
    defaultText: "1h",
    defaultValue: 3600,
    parse: (raw) => parse.duration(raw, 60, 7 * 86400),
  },
  relayOnly: {
    flag: "--relay-only",
    env: "CHATROULETTE_RELAY_ONLY",
    description: "relay all media through TURN, so strangers never learn each other's IP addresses (needs --turn-url)",
    defaultValue: false,
    parse: parse.boolean,
  },
  metricsPort: {
    flag: "--metrics-port <number>",
    env: "CHATROULETTE_METRICS_PORT",
    description: "serve Prometheus metrics at /metrics on this port (0 picks a free one)",
    defaultText: "off",
    defaultValue: null,
    parse: parse.optionalPort,
  },
  metricsHost: {
    flag: "--metrics-host <address>",
    env: "CHATROULETTE_METRICS_HOST",
    description: "address the metrics listener binds; keep it private",
    defaultValue: "127.0.0.1",
    parse: parse.host,
  },
  iceServers: {
    env: "CHATROULETTE_ICE_SERVERS",
    description: "more STUN/TURN servers for the page, as a JSON array of RTCIceServer",
    defaultText: "none",
    defaultValue: [],
    parse: parse.iceServers,
  },
  redis: {
    flag: "--redis <url>",
    env: "CHATROULETTE_REDIS",
    description: "Redis shared by several serve processes (redis://[:password@]host[:port][/db], rediss:// for TLS)",
    defaultText: "none, one process",
    defaultValue: null,
    parse: parse.redisUrl,
    redact: (raw) => parse.redactUrl(raw, true),
  },
  secret: {
    flag: "--secret <key>",
    env: "CHATROULETTE_SECRET",
    description: `key that signs identities, the same for every process (${parse.SECRET_LENGTH.min}+ characters; prefer the env or --config: flags show in ps)`,
    defaultText: "random per process",
    defaultValue: null,
    parse: parse.identitySecret,
    secret: true,
  },
  minAge: {
    flag: "--min-age <years>",
    env: "CHATROULETTE_MIN_AGE",
    description: "visitors confirm this age and the rules before the camera starts; 0 turns the screen off",
    defaultValue: 18,
    parse: (raw) => parse.integer(raw, 0, 99),
  },
  rules: {
    flag: "--rules <file>",
    env: "CHATROULETTE_RULES",
    description: "rules shown on that screen, a Markdown or text file shown as plain text",
    defaultText: "a short built-in text",
    defaultValue: "",
    parse: parse.file,
  },
  banReports: {
    flag: "--ban-reports <n>",
    env: "CHATROULETTE_BAN_REPORTS",
    description: "reports from this many distinct addresses within --ban-window ban a visitor",
    defaultValue: 3,
    parse: (raw) => parse.integer(raw, 2, 1000),
  },
  banWindow: {
    flag: "--ban-window <duration>",
    env: "CHATROULETTE_BAN_WINDOW",
    description: "how recent those reports must be (90s, 30m, 24h, 7d)",
    defaultText: "1h",
    defaultValue: 3_600_000,
    parse: (raw) => parse.duration(raw, 60, 30 * 86_400) * 1000,
  },
  banDuration: {
    flag: "--ban-duration <duration>",
    env: "CHATROULETTE_BAN_DURATION",
    description: "length of a first ban; each further one within 30 days doubles it, up to 30 days",
    defaultText: "24h",
    defaultValue: 86_400_000,
    parse: (raw) => parse.duration(raw, 60, 30 * 86_400) * 1000,
  },
  maxPerAddress: {
    flag: "--max-per-address <n>",
    env: "CHATROULETTE_MAX_PER_ADDRESS",
    description: "signaling sockets one address (IPv4, IPv6 /64) may hold; more get 429; 0 for no limit",
    defaultValue: 64,
    parse: (raw) => parse.integer(raw, 0, 10_000_000),
  },
  identitiesPerMinute: {
    flag: "--identities-per-minute <n>",
    env: "CHATROULETTE_IDENTITIES_PER_MINUTE",
    description: "identity requests per address per minute; more get 429 with Retry-After; 0 for no limit",
    defaultValue: 60,
    parse: (raw) => parse.integer(raw, 0, 10_000_000),
  },
  nextBurst: {
    flag: "--next-burst <n>",
    env: "CHATROULETTE_NEXT_BURST",
    description: "Next presses a visitor may make at once, before --next-per-minute applies",
    defaultValue: 10,
    parse: (raw) => parse.integer(raw, 1, 100_000),
  },
  nextPerMinute: {
    flag: "--next-per-minute <n>",
    env: "CHATROULETTE_NEXT_PER_MINUTE",
    description: "Next presses per visitor per minute after the burst; more are refused, not disconnected",
    defaultValue: 30,
    parse: (raw) => parse.integer(raw, 1, 6_000_000),
  },
  challenge: {
    flag: "--challenge <mode>",
    env: "CHATROULETTE_CHALLENGE",
    description: "proof of work before an identity: off, auto (suspect addresses, and everyone under load) or always",
    defaultValue: "auto",
    parse: (raw) => parse.oneOf(raw, ["off", "auto", "always"] as const),
  },
  challengeAbove: {
    flag: "--challenge-above <n>",
    env: "CHATROULETTE_CHALLENGE_ABOVE",
    description: "with --challenge auto, challenge everyone while identities are asked for faster than n a minute",
    defaultValue: 600,
    parse: (raw) => parse.integer(raw, 1, 10_000_000),
  },
  adminToken: {
    flag: "--admin-token <secret>",
    env: "CHATROULETTE_ADMIN_TOKEN",
    description: "turns on the moderator API (/api/admin) for this Bearer token; prefer the environment variable",
    defaultText: "off",
    defaultValue: "",
    parse: parse.token,
    secret: true,
  },
} as const satisfies { readonly [K in ConfigKey]: Field<K> };

/** The keys in table order (the order of --help). */
export const CONFIG_KEYS = Object.keys(FIELDS) as ConfigKey[];

/** One field's entry, typed by its key. */
export function field<K extends ConfigKey>(key: K): Field<K> {
  return FIELDS[key] as Field<K>;
}

/**
 * A frozen Config with `value(key)` for every key: the one place a Config is
 * assembled, so every caller gets all keys or a type error.
 */
export function configFrom(value: <K extends ConfigKey>(key: K) => Config[K]): Config {
  const config: { -readonly [K in ConfigKey]?: Config[K] } = {};
  for (const key of CONFIG_KEYS) assign(config, key, value(key));
  return Object.freeze(config as Config); // complete: the loop set every key
}

function assign<K extends ConfigKey>(config: { -readonly [P in ConfigKey]?: Config[P] }, key: K, value: Config[K]): void {
  config[key] = value;
}

export const DEFAULTS: Config = configFrom((key) => field(key).defaultValue);
