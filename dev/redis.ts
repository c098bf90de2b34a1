/**
 * A private redis-server (Debian's) for a test or the bench: a free loopback
 * port, no persistence (`--save "" --appendonly no`), stopped by pid. It can
 * be stopped and started again on the same port, as an outage would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { freePort } from "./free-port.ts";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops it (SIGTERM, then SIGKILL); its data is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** Where Debian puts it; REDIS_SERVER names another. */
const BINARY = process.env.REDIS_SERVER ?? "redis-server";

/**
 * @example
 * const redis = await startRedis();
 * try { createServer(config({ redis: redis.url })) } finally { await redis.stop(); }
 */
export async function startRedis(extra: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = await launch(port, extra);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? 0;
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
    start,
  };
}

/** Whether redis-server can be run here; the reason when not. */
export function redisMissing(): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = spawn(BINARY, ["--version"], { stdio: "ignore" });
    probe.once("error", () => resolve(`no ${BINARY} (apt-get install redis-server)`));
    probe.once("exit", (code) => resolve(code === 0 ? null : `${BINARY} --version exited ${code}`));
  });
}

async function launch(port: number, extra: readonly string[]): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra];
  const child = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s: ${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited (${code}): ${output}`)));
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (!output.includes("Ready to accept connections")) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      resolve();
    });
  });
  child.stderr!.resume();
  return child;
}

