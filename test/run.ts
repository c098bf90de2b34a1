/**
 * `npm test`: runs every test/*.test.ts with node:test. When this machine
 * lets us (root, util-linux `unshare`), the whole run happens in a fresh
 * network namespace that holds only loopback, so no test — browsers included —
 * can reach beyond 127.0.0.1 / ::1.
 *
 *   node --import tsx test/run.ts [files…]
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import process from "node:process";

const ISOLATED = "CHATROULETTE_TEST_NETNS";
const files = process.argv.slice(2);
const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(command, args, { stdio: "inherit", env }).status ?? 1;

if (process.env[ISOLATED] !== "1" && canIsolate()) {
  const self = [process.execPath, "--import", "tsx", "test/run.ts", ...files];
  process.exit(run("unshare", ["--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...self], {
    ...process.env,
    [ISOLATED]: "1",
  }));
}
if (process.env[ISOLATED] !== "1") {
  process.stderr.write("note: no network namespace (needs root and unshare); tests still use loopback only\n");
}
const all = readdirSync("test").filter((f) => f.endsWith(".test.ts")).sort().map((f) => `test/${f}`);
process.exit(run(process.execPath, [
  "--import",
  "tsx",
  "--test",
  "--test-force-exit",
  "--test-concurrency=2",
  ...(files.length > 0 ? files : all),
]));

function canIsolate(): boolean {
  return spawnSync("unshare", ["--net", "sh", "-c", "ip link set lo up"], { stdio: "ignore" }).status === 0;
}
