/**
 * Configuration: defaults < --config file < CHATROULETTE_* environment < flags,
 * resolved once into a readonly, validated Config (schema.ts says what each
 * option is). Every source is checked by the same parser, so a bad value gets
 * the same one-line message wherever it came from.
 */
import { readFile } from "node:fs/promises";
import { Expected } from "./parsers.ts";
import { type Config, CONFIG_KEYS, configFrom, type ConfigInput, type ConfigKey, field } from "./schema.ts";

/** A bad option, named with where it came from; the CLI prints `message` as one line. */
export class ConfigError extends Error {
  readonly code = "config_invalid";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export const CONFIG_ENV = "CHATROULETTE_CONFIG";

export interface ConfigSources {
  /** Raw strings from the command line, by key (only options the user gave); true for a flag without a value. */
  readonly flags?: Partial<Record<ConfigKey | "config", string | boolean>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Resolves flags, environment and the optional config file into a Config.
 * @example
 * const config = await loadConfig({ flags: { port: "0" }, env: process.env });
 * @throws ConfigError naming the option, the bad value and what is expected
 */
export async function loadConfig({ flags = {}, env = {} }: ConfigSources): Promise<Config> {
  const configPath = typeof flags.config === "string" ? flags.config : env[CONFIG_ENV];
  const source = flags.config !== undefined ? `--config "${flags.config}"` : `${CONFIG_ENV} "${configPath}"`;
  const file = configPath === undefined ? {} : parseConfigFile(await readText(configPath, source), source);
  return resolveConfig({ flags, env, file, fileName: configPath });
}

/**
 * The pure part of loadConfig: `file` is the already-parsed JSON object (or
 * options given in code, as tests and embedders do).
 * @example
 * const config = resolveConfig({ file: { port: 0, country: "IN" } });
 */
export function resolveConfig(
  { flags = {}, env = {}, file = {}, fileName = "config file" }: ConfigSources & {
    file?: ConfigInput | Readonly<Record<string, unknown>>;
    fileName?: string;
  },
): Config {
  const values: Readonly<Record<string, unknown>> = file;
  for (const key of Object.keys(values)) {
    if (!(CONFIG_KEYS as string[]).includes(key) && !key.startsWith("//")) {
      throw new ConfigError(`Unknown key "${key}" in ${fileName}: expected one of ${CONFIG_KEYS.join(", ")}`);
    }
  }
  const config = configFrom((key) => {
    const f = field(key);
    const flag = flags[key];
    if (flag !== undefined) return parseFrom(key, flag, `${f.flag?.split(" ")[0]}`);
    const fromEnv = env[f.env];
    if (fromEnv !== undefined) return parseFrom(key, fromEnv, f.env);
    if (values[key] !== undefined) return parseFrom(key, values[key], `"${key}"`, ` in ${fileName}`);
    return f.defaultValue;
  });
  const both = config.country.filter((c) => config.blockCountry.includes(c));
  if (both.length > 0) {
    throw new ConfigError(
      `Invalid country policy: ${both.join(", ")} both allowed (--country) and blocked (--block-country); expected each code in one list`,
    );
  }
  if (config.redis !== null && config.secret === null) {
    throw new ConfigError(
      "--redis needs --secret (env CHATROULETTE_SECRET), the same for every process: each process must accept the " +
        'identities the others issue; e.g. CHATROULETTE_SECRET="$(openssl rand -base64 32)"',
    );
  }
  checkCombinations(config);
  return config;
}

/** Options that only make sense together: a server that starts is a server configured as meant. */
function checkCombinations(config: Config): void {
  const turn = config.turnUrl.length > 0;
  if (turn && config.turnSecret === "") {
    throw new ConfigError(
      "Missing --turn-secret (env CHATROULETTE_TURN_SECRET): --turn-url needs coturn's static-auth-secret to issue credentials",
    );
  }
  if (!turn && config.turnSecret !== "") {
    throw new ConfigError("Invalid --turn-secret without --turn-url: expected both (a TURN server and its secret) or neither");
  }
  if (config.relayOnly && !turn) {
    throw new ConfigError("Invalid --relay-only without a TURN server: expected --turn-url and --turn-secret as well");
  }
  if ((config.tlsCert === "") !== (config.tlsKey === "")) {
    throw new ConfigError(`Invalid ${config.tlsCert ? "--tls-cert without --tls-key" : "--tls-key without --tls-cert"}: expected both files`);
  }
  if (config.metricsPort !== null && config.metricsPort !== 0 && config.metricsPort === config.port) {
    throw new ConfigError(`Invalid --metrics-port ${config.metricsPort}: the same as --port; expected a port of its own`);
  }
}

function parseFrom<K extends ConfigKey>(key: K, raw: unknown, name: string, where = ""): Config[K] {
  try {
    return field(key).parse(raw);
  } catch (error) {
    if (!(error instanceof Expected)) throw error;
    // A secret is never echoed, nor a URL's password: error lines end up in logs.
    const f = field(key);
    const value = f.secret ? `(${typeof raw === "string" ? raw.length : 0} characters, not shown)` : f.redact?.(raw) ?? show(raw);
    throw new ConfigError(`Invalid ${name} ${value}${where}: expected ${error.message}`);
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
