/**
 * The package as an operator gets it from the registry: `npm pack` of a copy
 * of this checkout (so npm's `prepare` builds dist/ as it does before a
 * publish), the tarball installed into an empty folder, then `npx chatroulette
 * serve --port 0` and `npx chatroulette smoke` run from that folder. The
 * tarball holds what an operator needs and none of the tests, bench, CI or
 * screenshots.
 *
 * Tests run with loopback only, so the install is offline: the empty folder
 * gets a lockfile pinning the tarball's dependencies at the versions this
 * checkout's package-lock.json installed, and npm takes them from its cache
 * (which the checkout's own `npm install` filled).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { cleanEnv, ROOT, runCli } from "./support/cli.ts";

/** Not copied from the checkout: what a clean clone does not have, or has of its own. */
const NOT_COPIED = new Set([".git", "node_modules", "dist", "test-results"]);

/** npm as an operator's shell runs it: no npm_* variables from `npm test`, and never the network. */
function npm(args: string[], cwd: string): Promise<string> {
  return run("npm", [...args, "--offline", "--no-audit", "--no-fund"], cwd);
}

function run(command: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: cleanEnv(true), maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

interface LockEntry {
  readonly dev?: boolean;
  readonly [key: string]: unknown;
}

/** A lockfile for a folder whose one dependency is the tarball: its dependencies as this checkout pinned them. */
async function lockfileFor(tarball: string, manifest: Record<string, unknown>): Promise<object> {
  const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const runtime = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && !entry.dev);
  const { version, dependencies, bin, engines, license } = manifest;
  return {
    name: "operator",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "operator", dependencies: { chatroulette: tarball } },
      "node_modules/chatroulette": { version, resolved: tarball, license, dependencies, bin, engines },
      ...Object.fromEntries(runtime),
    },
  };
}

test("when the package is packed, installed into an empty folder and run with npx, then it serves and passes its own smoke test", { timeout: 600_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), "chatroulette-package-"));
  t.after(() => rm(work, { recursive: true, force: true }));

  const source = join(work, "source");
  await cp(ROOT, source, { recursive: true, filter: (path) => !NOT_COPIED.has(relative(ROOT, path)) });
  await symlink(join(ROOT, "node_modules"), join(source, "node_modules"));
  const [packed] = JSON.parse(await npm(["pack", "--json", "--pack-destination", work], source)) as [{
    filename: string;
    size: number;
    files: { path: string }[];
  }];
  const files = packed.files.map((f) => f.path);
  for (const needed of ["bin/chatroulette.js", "bin/chatroulette.ts", "dist/chatroulette.js", "dist/stamp.json", "dist/page/index.html",
    "dist/THIRD-PARTY-LICENSES.txt", "src/server.ts", "ui/main.tsx", "README.md", "LICENSE", "docs/PROTOCOL.md", "config.example.json"]) {
    assert.ok(files.includes(needed), `the tarball lacks ${needed}`);
  }
  const unwanted = files.filter((path) => /^(test|bench|dev|\.ci|docs\/screenshots)\/|^tsconfig|^package-lock/.test(path));
  assert.deepEqual(unwanted, [], "the tarball holds what only developers need");

  const app = join(work, "operator");
  await mkdir(app);
  const tarball = `file:../${packed.filename}`;
  const manifest = JSON.parse(await readFile(join(source, "package.json"), "utf8")) as Record<string, unknown>;
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "operator", private: true, dependencies: { chatroulette: tarball } }));
  await writeFile(join(app, "package-lock.json"), JSON.stringify(await lockfileFor(tarball, manifest)));
  await npm(["ci"], app);
  // The sizes the README reports.
  const installedKiB = Number((await run("du", ["-sk", join(app, "node_modules")])).split("\t")[0]);
  t.diagnostic(`tarball ${(packed.size / 1e6).toFixed(2)} MB, ${files.length} files; installed with its dependencies ${(installedKiB / 1024).toFixed(0)} MB`);

  const offline = { npm_config_offline: "true" };
  const server = runCli(t, ["serve", "--port", "0", "--host", "127.0.0.1"], "npx", { ...offline, CHATROULETTE_ICE_SERVERS: "[]" }, app);
  const url = await server.url;
  const smoke = await runCli(t, ["smoke", url], "npx", offline, app).exit;
  assert.equal(smoke.code, 0, `smoke failed:\n${smoke.stdout}${smoke.stderr}`);
  assert.match(smoke.stdout, /^PASS /m);
});
