/**
 * Debian's coturn (`turnserver`) for the tests and the bench: a real TURN
 * server with the TURN REST API secret (`use-auth-secret`), started on a free
 * loopback port, its pid file, database and log kept in a temporary folder,
 * and stopped by pid. Each caller gets its own, never one left running.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { freePort } from "./free-port.ts";

export const TURNSERVER = process.env.TURNSERVER_PATH ?? "turnserver";

/** Why coturn cannot run here, or null when it can. Under CI=true a missing coturn is an error. */
export function coturnMissing(): string | null {
  if (spawnSync(TURNSERVER, ["--version"], { stdio: "ignore" }).error === undefined) return null;
  const why = `no coturn (${TURNSERVER}) here (apt-get install coturn, or set TURNSERVER_PATH)`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${why}`);
  return why;
}

export interface Coturn {
  /** `turn:127.0.0.1:<port>?transport=udp`, for --turn-url. */
  readonly url: string;
  readonly port: number;
  /** The static-auth-secret, for --turn-secret. */
  readonly secret: string;
  /** Everything coturn has logged so far (verbose: allocations, and each session's relayed bytes when it ends). */
  log(): string;
  stop(): Promise<void>;
}

export interface CoturnOptions {
  /** Defaults to a fresh random secret. */
  readonly secret?: string;
  /**
   * The configuration to run instead of the measured test settings below
   * (the README's, say); listening address, port, files and logging are
   * still set here, after it, so that they win.
   */
  readonly config?: string;
}

/**
 * The settings measured to relay between two Chromium pages on 127.0.0.1
 * (DESIGN.md §5). `allow-loopback-peers` is for tests only: in production it
 * would let visitors relay into the TURN host itself.
 */
const TEST_CONFIG = [
  "use-auth-secret",
  "realm=chatroulette.test",
  "allow-loopback-peers",
  "no-tls",
  "no-dtls",
  "no-cli",
].join("\n");

/**
 * @example
 * const turn = await startCoturn();
 * // chatroulette serve --turn-url turn.url --turn-secret turn.secret
 * await turn.stop();
 */
export async function startCoturn({ secret = randomBytes(24).toString("hex"), config = TEST_CONFIG }: CoturnOptions = {}): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), "chatroulette-coturn-"));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, "turnserver.conf"), [
      config,
      `static-auth-secret=${secret}`,
      "listening-ip=127.0.0.1",
      "relay-ip=127.0.0.1",
      `listening-port=${port}`,
      `pidfile=${join(dir, "turnserver.pid")}`,
      `userdb=${join(dir, "turndb")}`,
      "log-file=stdout",
      "simple-log",
      // Logs each listener as it opens (the readiness signal below) and each session's usage.
      "verbose",
      "",
    ].join("\n"));
    const child = spawn(TURNSERVER, ["-c", join(dir, "turnserver.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const keep = (chunk: Buffer) => {
      // Bounded: a long bench run must not grow this without end.
      log = (log + chunk).slice(-1_000_000);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const started = await ready(child, () => log);
    if (started === true) {
      return {
        url: `turn:127.0.0.1:${port}?transport=udp`,
        port,
        secret,
        log: () => log,
        stop: async () => {
          await stop(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stop(child);
    if (attempt >= 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`coturn did not start: ${started}\n${log.slice(-2000)}`);
    }
  }
}

/** True once the UDP listener is open; otherwise why not (a port taken since it was probed, an exit). */
function ready(child: ChildProcess, log: () => string): Promise<true | string> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => finish("no UDP listener within 10 s"), 10_000);
    const check = () => {
      const text = log();
      if (/UDP listener opened on/.test(text)) finish(true);
      else if (/Cannot bind|Address already in use/i.test(text)) finish("its port was taken");
    };
    const exited = () => finish(`it exited (${child.exitCode ?? child.signalCode})`);
    child.stdout!.on("data", check);
    child.on("exit", exited);
    function finish(result: true | string) {
      clearTimeout(deadline);
      child.stdout!.off("data", check);
      child.off("exit", exited);
      resolve(result);
    }
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

