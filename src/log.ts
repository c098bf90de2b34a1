/**
 * A leveled logger that writes one line per event to stderr, so that stdout
 * stays free for what scripts read (the URL line of `serve`, smoke reports).
 */
import process from "node:process";

export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/**
 * @example
 * const log = createLogger("info");
 * log.debug("not printed"); log.warn("printed to stderr");
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line + "\n"),
): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const at = (name: Exclude<LogLevel, "silent">) =>
    LOG_LEVELS.indexOf(name) <= rank
      ? (message: string) => write(`${new Date().toISOString()} ${name} ${message}`)
      : () => {};
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
