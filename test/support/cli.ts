/**
 * The real `chatroulette` command in a child process, as operators run it:
 * under Node (its launcher registers tsx) or Deno; killed by pid after the test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import type { TestContext } from "node:test";
import { ROOT } from "../../dev/paths.ts";
import type { RunningServer } from "./server.ts";

export { ROOT };

/**
 * Runs the real `chatroulette serve` (the command operators run) on
 * 127.0.0.1:0 with no STUN server, plus `flags`.
 */
export async function serveCli(t: TestContext, flags: string[] = [], runtime: "node" | "deno" = "node"): Promise<RunningServer> {
  const args = ["serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "error", ...flags];
  const { url } = runCli(t, args, runtime, { CHATROULETTE_STUN_URL: "none" });
  const port = Number(new URL(await url).port);
  return { url: await url, port, origin: (await url).replace(/\/$/, "") };
}

/** How to run the CLI: its Node launcher (which registers tsx), or bin/chatroulette.ts under Deno. */
export function cliCommand(runtime: "node" | "deno"): string[] {
  return runtime === "node"
    ? [process.execPath, `${ROOT}bin/chatroulette.js`]
    : [`${ROOT}node_modules/.bin/deno`, "run", "-A", `${ROOT}bin/chatroulette.ts`];
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line that holds a URL. */
  readonly url: Promise<string>;
  /** What it has printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process exits. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawns the real CLI; killed (by pid) after the test unless it has exited. */
export function runCli(
  t: TestContext,
  args: string[],
  runtime: "node" | "deno" = "node",
  env: Record<string, string> = {},
  cwd = ROOT,
): CliRun {
  const [command, ...prefix] = cliCommand(runtime);
  const child = spawn(command, [...prefix, ...args], { cwd, env: { ...process.env, ...env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => stderr += chunk);
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => /https?:\/\//.test(l));
      if (line) resolve(line.match(/https?:\/\/\S+/)![0]);
    });
    child.on("exit", () => reject(new Error(`exited before printing a URL: ${stderr}`)));
  });
  url.catch(() => {});
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, url, exit, output: () => ({ stdout, stderr }) };
}
