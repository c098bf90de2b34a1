/**
 * The real `chatroulette` command in a child process, as operators run it:
 * under Node (its launcher runs the JavaScript build in dist/) or Deno;
 * killed by pid after the test.
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

/**
 * How to run the CLI: its Node launcher (which runs dist/), bin/chatroulette.ts
 * under Deno, or "npx": `npx chatroulette` in the working directory, as an
 * operator runs an installed package.
 */
export function cliCommand(runtime: CliRuntime): string[] {
  if (runtime === "npx") return ["npx", "chatroulette"];
  return runtime === "node"
    ? [process.execPath, `${ROOT}bin/chatroulette.js`]
    : [`${ROOT}node_modules/.bin/deno`, "run", "-A", `${ROOT}bin/chatroulette.ts`];
}

export type CliRuntime = "node" | "deno" | "npx";

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
  runtime: CliRuntime = "node",
  env: Record<string, string> = {},
  cwd = ROOT,
): CliRun {
  const [command, ...prefix] = cliCommand(runtime);
  // npx runs the command as its child and does not pass signals on
  // (DESIGN.md), so it gets a process group of its own, killed whole.
  const group = runtime === "npx";
  const child = spawn(command, [...prefix, ...args], { cwd, env: { ...cleanEnv(group), ...env, NO_COLOR: "1" }, detached: group });
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
    if (group) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // the whole group has exited
      }
    } else if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, url, exit, output: () => ({ stdout, stderr }) };
}

/**
 * This process's environment; for npx, without the npm_* variables `npm test`
 * set (an operator's shell has none, and npm_config_local_prefix would point
 * npx at this checkout instead of the folder it runs in).
 */
export function cleanEnv(withoutNpm: boolean): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !(withoutNpm && /^npm_/i.test(key))));
}
