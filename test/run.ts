/**
 * `npm test`: every test/*.test.ts under node:test, inside a loopback-only
 * network namespace when the machine allows it (see dev/netns.ts). The tests
 * run the `chatroulette` command operators run, which runs the JavaScript
 * build: it is rebuilt first when the sources changed (dev/build.ts).
 * `npm run test:unit` (`--unit`): only the suites that run in-process in
 * seconds, without Chromium, Deno, child processes or long timeouts.
 *
 *   node --import tsx test/run.ts [--unit] [files…]
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { ensureBuilt } from "../dev/build.ts";
import { isolate } from "../dev/netns.ts";

/** Suites that start browsers, CLIs, runtimes or redis-server, or wait out real timeouts. */
const SLOW = [
  "admin-cli",
  "build",
  "cli",
  "cluster",
  "cluster-metrics",
  "cluster-processes",
  "deno",
  "deploying",
  "e2e",
  "e2e-cluster",
  "e2e-relay",
  "e2e-safety",
  "e2e-visitor",
  "http-hardening",
  "match-store",
  "package",
  "redis-keys",
  "redis-store",
  "signaling-limits",
  "smoke",
  "tls",
  "turn",
];

const args = process.argv.slice(2);
isolate("test/run.ts", args);
const { values, positionals: files } = parseArgs({ args, options: { unit: { type: "boolean" } }, allowPositionals: true });
await ensureBuilt();
const all = readdirSync("test")
  .filter((f) => f.endsWith(".test.ts") && !(values.unit && SLOW.includes(f.replace(/\.test\.ts$/, ""))))
  .sort()
  .map((f) => `test/${f}`);
const { status } = spawnSync(process.execPath, [
  "--import",
  "tsx",
  "--test",
  "--test-force-exit",
  "--test-concurrency=2",
  ...(files.length > 0 ? files : all),
], { stdio: "inherit" });
process.exit(status ?? 1);
