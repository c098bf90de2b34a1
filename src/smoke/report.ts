/** How a smoke run reads: a line per step as it finishes, then PASS or FAIL; or one JSON object. */
import type { SmokeReport, Step } from "./smoke.ts";

export function stepLine(step: Step): string {
  const ms = `${Math.round(step.ms)} ms`.padStart(9);
  return `  ${step.ok ? "ok  " : "FAIL"} ${ms}  ${step.name}${step.error ? ` — ${step.error}` : ""}`;
}

export function verdictLine(report: SmokeReport): string {
  const seconds = `${(report.totalMs / 1000).toFixed(1)} s`;
  if (report.ok) return `PASS (${report.steps.length} steps in ${seconds})`;
  const failed = report.steps.find((s) => !s.ok);
  return `FAIL (${seconds}): ${failed ? `${failed.name}: ${failed.error}` : "no step ran"}`;
}

/** The --json form: per-step timings in whole milliseconds and the exit code. */
export function reportJson(report: SmokeReport, exitCode: number): string {
  return JSON.stringify({
    ...report,
    exitCode,
    totalMs: Math.round(report.totalMs),
    steps: report.steps.map((s) => ({ ...s, ms: Math.round(s.ms) })),
  });
}
