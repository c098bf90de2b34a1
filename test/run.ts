/**
 * `npm test`: every test/*.test.ts under node:test, inside a loopback-only
 * network namespace when the machine allows it (see isolate.ts).
 *
 *   node --import tsx test/run.ts [files…]
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import process from "node:process";
import { isolate } from "./isolate.ts";

const files = process.argv.slice(2);
isolate("test/run.ts", files);
const all = readdirSync("test").filter((f) => f.endsWith(".test.ts")).sort().map((f) => `test/${f}`);
const { status } = spawnSync(process.execPath, [
  "--import",
  "tsx",
  "--test",
  "--test-force-exit",
  "--test-concurrency=2",
  ...(files.length > 0 ? files : all),
], { stdio: "inherit" });
process.exit(status ?? 1);
