/**
 * `chatroulette smoke <url> [url…]` as a function: runs the bots, writes a
 * line per step and the verdict (or one JSON object), and returns the exit code.
 */
import { reportJson, stepLine, verdictLine } from "./report.ts";
import { runSmoke } from "./smoke.ts";

export interface SmokeFlags {
  readonly pairs: number;
  /** Seconds each step may take. */
  readonly timeout: number;
  readonly json?: boolean;
  readonly path?: string;
  readonly insecure?: boolean;
  readonly media?: boolean;
}

/** 0 every step passed; 1 a check failed; 2 the URL cannot be reached (or is not a chatroulette server). */
export const SMOKE_EXIT = { passed: 0, failed: 1, unreachable: 2 } as const;

/**
 * @example
 * const code = await smokeCommand(["http://127.0.0.1:8080"], { pairs: 2, timeout: 10 }, (text) => process.stdout.write(text));
 */
export async function smokeCommand(urls: readonly string[], flags: SmokeFlags, write: (text: string) => void): Promise<number> {
  if (!flags.json) write(`chatroulette smoke ${urls.join(" ")} (${flags.pairs} pair${flags.pairs > 1 ? "s" : ""})\n`);
  const report = await runSmoke(
    {
      urls,
      pairs: flags.pairs,
      timeoutMs: flags.timeout * 1000,
      path: flags.path,
      insecure: !!flags.insecure,
      media: !!flags.media,
    },
    (step) => flags.json || write(`${stepLine(step)}\n`),
  );
  const code = report.ok ? SMOKE_EXIT.passed : report.unreachable ? SMOKE_EXIT.unreachable : SMOKE_EXIT.failed;
  write(`${flags.json ? reportJson(report, code) : verdictLine(report)}\n`);
  return code;
}
