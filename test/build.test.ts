/**
 * The JavaScript build (dev/build.ts) and the command's check of it: a copy
 * of the package whose build is current runs; one whose sources changed, or
 * that was never built, refuses with one line saying how to rebuild; and the
 * prebuilt page is byte for byte what bundling ui/ at start gives.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, cp, mkdtemp, rm, symlink, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, test, type TestContext } from "node:test";
import { bundlePage, loadPageFiles, type PageFiles } from "../src/http/page-bundle.ts";
import { VERSION } from "../src/version.ts";
import { ROOT } from "./support/cli.ts";

/** A copy of the package as built here (bin/, src/, ui/, dist/, package.json) sharing node_modules; removed after the test. */
async function copyPackage(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "chatroulette-build-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const path of ["bin", "src", "ui", "dist", "package.json"]) await cp(join(ROOT, path), join(dir, path), { recursive: true });
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return `${dir}/`;
}

function run(root: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, "bin", "chatroulette.js"), ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

function assertRefused(result: { code: number; stdout: string; stderr: string }, root: string, reason: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, reason);
  assert.ok(result.stderr.includes(`run "npm run build" (or "npm install") in ${root} and try again`), result.stderr);
}

describe("the JavaScript build", () => {
  test("when dist/ was built from the sources as they are, then the command runs it", async (t) => {
    const root = await copyPackage(t);
    const { code, stdout } = await run(root, ["--version"]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), VERSION);
  });

  test("when a server source changed since the build, then the command exits 1 with one line naming it", async (t) => {
    const root = await copyPackage(t);
    await appendFile(join(root, "src", "server.ts"), "\n// edited\n");
    assertRefused(await run(root, ["serve", "--port", "0"]), root, /^chatroulette: src\/server\.ts changed since dist\/ was built; /);
  });

  test("when a page source changed or is gone, then the command refuses rather than serve the old page", async (t) => {
    const root = await copyPackage(t);
    await appendFile(join(root, "ui", "style.css"), "\nbody { margin: 0 }\n");
    assertRefused(await run(root, ["--version"]), root, /^chatroulette: ui\/style\.css changed since dist\/ was built; /);
    await cp(join(ROOT, "ui", "style.css"), join(root, "ui", "style.css"));
    assert.equal((await run(root, ["--version"])).code, 0, "put back as it was, it runs again");
    await unlink(join(root, "ui", "index.html"));
    assertRefused(await run(root, ["--version"]), root, /^chatroulette: ui\/index\.html is gone since dist\/ was built; /);
  });

  test("when there is no build, then the command exits 1 with one line saying so", async (t) => {
    const root = await copyPackage(t);
    await rm(join(root, "dist"), { recursive: true });
    assertRefused(await run(root, ["serve"]), root, /^chatroulette: there is no JavaScript build \(dist\/ is missing\); /);
  });

  test("when ui/ is bundled at start instead, then the page is byte for byte the prebuilt one", async () => {
    const prebuilt = await loadPageFiles(ROOT);
    assert.equal(prebuilt.from, "prebuilt");
    const bundled = await bundlePage(ROOT);
    assert.deepEqual(bundled.map((a) => a.path), prebuilt.assets.map((a) => a.path));
    for (const [i, asset] of bundled.entries()) assert.ok(asset.body.equals(prebuilt.assets[i].body), asset.path);
  });

  test("when the page's build is missing, then the page is bundled from ui/ and nothing is lost", async (t) => {
    const root = await copyPackage(t);
    const prebuilt = await loadPageFiles(root);
    await rm(join(root, "dist"), { recursive: true });
    const bundled = await loadPageFiles(root);
    assert.equal(bundled.from, "bundled");
    assert.equal(bundled.shell, prebuilt.shell);
    // The same bytes; a hashed name may differ, since esbuild hashes input paths and node_modules is a link
    // here, and the island names the worker by its hashed URL. Compared by digest: assert's diff of two
    // large unequal strings takes minutes.
    const unhashed = (text: string) => text.replace(/(\/assets\/[\w-]+?)-\w+(\.\w+)/g, "$1$2");
    const kinds = (files: PageFiles) => files.assets
      .map((a) => [unhashed(a.path), createHash("sha256").update(unhashed(a.body.toString("latin1"))).digest("hex")])
      .sort();
    assert.deepEqual(kinds(bundled), kinds(prebuilt));
  });
});
