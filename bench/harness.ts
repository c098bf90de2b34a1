/**
 * The benchmark harness: start a server under test in its own process (ours
 * under Node or Deno, PeerServer, or the book's design), read its RSS, drive
 * load generators over IPC, and summarise timings. Every process it starts is
 * stopped by pid.
 */
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { freePort } from "../dev/free-port.ts";
import { ROOT } from "../dev/paths.ts";
import type { Command, ConnectResult, MatchResult, TargetKind } from "./load.ts";

export { ROOT };

export interface Server {
  readonly kind: TargetKind;
  readonly pid: number;
  readonly origin: string;
  /** Where the signaling server is mounted (peerjs's `path`): its socket is `<mount>peerjs`. */
  readonly mount: string;
  /** Milliseconds from spawn to the ready line. */
  readonly startMs: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Spawns `command` and resolves once stdout shows `ready` (with the URL or port in group 1). */
async function start(
  kind: TargetKind,
  command: string[],
  ready: RegExp,
  toOrigin: (match: RegExpMatchArray) => string,
  mount: string,
  env: Readonly<Record<string, string>> = {},
): Promise<Server> {
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  running.add(child);
  let stderr = "";
  child.stderr!.on("data", (chunk) => stderr = (stderr + chunk).slice(-2000));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = out.match(ready);
      if (!m) return;
      // Stop reading: PeerServer logs a line per client, which we do not want to buffer.
      child.stdout!.off("data", onData);
      child.stdout!.resume();
      resolve(m);
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${command.join(" ")} exited (${code}): ${stderr}`)));
  });
  const startMs = performance.now() - started;
  return {
    kind,
    pid: child.pid!,
    origin: toOrigin(match),
    mount,
    startMs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }).then(() => void running.delete(child)),
  };
}

/** How to start a server under test: V8 flags for Node, e.g. ["--max-semi-space-size=1"] (default: none), and environment. */
export interface StartOptions {
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Limits off, for load from one address (or a few): sockets, identities, Next, challenges. */
export const ONE_ADDRESS = ["--max-per-address", "0", "--identities-per-minute", "0", "--next-burst", "100000", "--next-per-minute", "6000000", "--challenge", "off"];

/** `chatroulette serve` under Node (the JavaScript build in dist/) or Deno, on a free port. */
export function startOurs(runtime: "node" | "deno", args: string[] = [], { nodeFlags = [], env }: StartOptions = {}): Promise<Server> {
  const cli = runtime === "node"
    ? [process.execPath, ...nodeFlags, "bin/chatroulette.js"]
    : [`${ROOT}node_modules/.bin/deno`, "run", "-A", "bin/chatroulette.ts"];
  return start(
    "ours",
    [...cli, "serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "error", ...args],
    /listening on (http:\/\/\S+?)\/?\s/,
    (m) => m[1],
    "/signaling/",
    env,
  );
}

/** The reference: PeerServer's own CLI (`peerjs`), as an operator would run it. */
export async function startPeerServer(args: string[] = [], { nodeFlags = [] }: StartOptions = {}): Promise<Server> {
  const port = await freePort();
  return start(
    "peer",
    [process.execPath, ...nodeFlags, `${ROOT}node_modules/.bin/peerjs`, "--port", String(port), "--host", "127.0.0.1", ...args],
    /Started PeerServer on \S+, port: (\d+)/,
    (m) => `http://127.0.0.1:${m[1]}`,
    "/",
  );
}

/** The reference for matchmaking: the book's design (bench/book-server.ts). */
export function startBook(): Promise<Server> {
  return startScript("book", "bench/book-server.ts", "/signaling/");
}

/** The floor: a bare ws server (bench/ws-server.ts), no PeerServer, no logic. */
export function startBareWs(options: StartOptions = {}): Promise<Server> {
  return startScript("peer", "bench/ws-server.ts", "/", options);
}

/** A runtime doing nothing at all, for the floor under idle RSS: Node, Node with tsx's loader, or Deno. */
export function startIdle(runtime: "node" | "node+tsx" | "deno"): Promise<Server> {
  const idle = 'console.log("Started idle runtime on http://127.0.0.1:0/"); setInterval(() => {}, 1 << 30);';
  const command = runtime === "deno"
    ? [`${ROOT}node_modules/.bin/deno`, "eval", idle]
    : [process.execPath, ...(runtime === "node+tsx" ? ["--import", "tsx"] : []), "--input-type=module", "-e", idle];
  return start("peer", command, /on (http:\/\/\S+?)\/?\s/, (m) => m[1], "/");
}

function startScript(kind: TargetKind, script: string, mount: string, { nodeFlags = [] }: StartOptions = {}): Promise<Server> {
  return start(kind, [process.execPath, ...nodeFlags, "--import", "tsx", script, "0"], /on (http:\/\/\S+?)\/?\s/, (m) => m[1], mount);
}


/**
 * Resident set size of a process and of every process it started (such as
 * esbuild's service process), in KiB.
 */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const own = Number(status.match(/VmRSS:\s+(\d+)/)![1]);
  return own + childPids(pid).reduce((sum, child) => sum + (unlessGone(() => rssKiB(child)) ?? 0), 0);
}

/** A child may exit between listing and reading it. */
function unlessGone<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    (unlessGone(() => readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")) ?? "").split(" ").filter(Boolean).map(Number)
  );
}

/**
 * Idle RSS: after 12 s of quiet (V8 shrinks its heap once a process has idled
 * a while), the lowest of five readings a second apart, since a reading can
 * only be inflated by a passing allocation, never deflated.
 */
export async function settledRssKiB(pid: number): Promise<number> {
  await sleep(12_000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssKiB(pid));
    await sleep(1000);
  }
  return Math.min(...readings);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A load generator process; `send` runs one command and resolves with its result. */
export interface Load {
  /** Ours only: fetch identities now, so that connect() opens sockets alone. */
  identities(server: Server, count: number): Promise<{ fetched: number }>;
  connect(server: Server, count: number, localAddress?: string): Promise<ConnectResult>;
  burst(): Promise<MatchResult>;
  paced(perSecond: number, seconds: number): Promise<MatchResult>;
  stop(): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 120_000;

/**
 * `ulimit -n` for everything started from here: raises this process's soft
 * open-file limit to its hard limit (servers and load generators inherit it)
 * and returns the limit.
 */
export function raiseFileLimit(): number {
  const pid = String(process.pid);
  const read = execFileSync("prlimit", ["--pid", pid, "--nofile", "--raw", "--noheadings", "--output", "SOFT,HARD"], { encoding: "utf8" });
  const [soft, hard] = read.trim().split(/\s+/);
  if (soft !== hard) execFileSync("prlimit", ["--pid", pid, `--nofile=${hard}:${hard}`]);
  return Number(hard);
}

export function startLoad(): Load {
  const child = fork(`${ROOT}bench/load.ts`, [], {
    execArgv: ["--import", "tsx", "--max-old-space-size=2048"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  const send = <T>(command: Command): Promise<T> =>
    new Promise((resolve, reject) => {
      // Every command is bounded: a load generator that hangs is killed, and the scenario fails.
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`load generator: "${command.cmd}" did not finish within ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      child.once("message", (reply: { ok: boolean; result?: T; error?: string }) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply.result!);
        else reject(new Error(reply.error));
      });
      child.send(command);
    });
  return {
    identities: (server, count) => send({ cmd: "identities", origin: server.origin, count }),
    connect: (server, count, localAddress) =>
      send({ cmd: "connect", kind: server.kind, origin: server.origin, mount: server.mount, count, localAddress }),
    burst: () => send({ cmd: "burst" }),
    paced: (perSecond, seconds) => send({ cmd: "paced", perSecond, seconds }),
    async stop() {
      await send({ cmd: "close" }).catch(() => {});
      if (child.connected) child.disconnect();
      running.delete(child);
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Runs `fn` over a server and always stops the server, even when `fn` throws. */
export async function using<T>(server: Server | Promise<Server>, fn: (server: Server) => Promise<T>): Promise<T> {
  const s = await server;
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}
