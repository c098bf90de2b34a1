/**
 * Re-runs the current script inside a fresh network namespace that holds only
 * loopback (`unshare --net`, as root), so nothing it starts — servers,
 * Chromium — can reach past 127.0.0.1 / ::1. Used by `npm test` and `npm run bench`.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";

const ISOLATED = "CHATROULETTE_NETNS";

/**
 * When not isolated yet and this machine allows it, runs `script args…` under
 * tsx in a new namespace and exits with its status; otherwise returns whether
 * we are isolated.
 */
export function isolate(script: string, args: readonly string[]): boolean {
  if (process.env[ISOLATED] === "1") return true;
  const probe = spawnSync("unshare", ["--net", "sh", "-c", "ip link set lo up"], { stdio: "ignore" });
  if (probe.status !== 0) {
    process.stderr.write("note: no network namespace (needs root and unshare); everything still uses loopback only\n");
    return false;
  }
  const self = [process.execPath, "--import", "tsx", script, ...args];
  const { status } = spawnSync("unshare", ["--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...self], {
    stdio: "inherit",
    env: { ...process.env, [ISOLATED]: "1" },
  });
  process.exit(status ?? 1);
}
