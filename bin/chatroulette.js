#!/usr/bin/env node
/**
 * The `chatroulette` command under Node: runs the JavaScript that
 * `npm run build` made from the TypeScript in bin/, src/ and ui/ (npm runs it
 * on `npm install` in a clone and before `npm pack`), with no TypeScript
 * compiler in the process. It first checks that build against the sources
 * beside it (dist/stamp.json, see src/build/stamp.ts) and refuses, with one
 * line saying how to rebuild, rather than run old code. Deno runs
 * chatroulette.ts itself.
 */
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
let stale;
try {
  const { staleBuild } = await import("../dist/stamp.js");
  stale = staleBuild(root, ["server", "page"]);
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  stale = "there is no JavaScript build (dist/ is missing)";
}
if (stale) {
  process.stderr.write(`chatroulette: ${stale}; run "npm run build" (or "npm install") in ${root} and try again\n`);
  process.exit(1);
}
await import("../dist/chatroulette.js");
