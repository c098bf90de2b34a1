/**
 * `npm run build` (and npm's `prepare`, so `npm install` in a clone and
 * `npm pack` run it): the JavaScript that `chatroulette` runs under Node,
 * made from the TypeScript in bin/, src/ and ui/ with esbuild, into dist/
 * (never committed):
 *
 *   dist/chatroulette.js   bin/chatroulette.ts, src/ and what `serve` loads
 *                          from npm (BUNDLED below), one ES module
 *   dist/*.js              chunks loaded on demand (`smoke`, the Redis stores), and stamp.js
 *   dist/*.lua, dist/redis/  the Redis stores' Lua scripts (LUA below)
 *   dist/page/             the page: index.html and its hashed assets
 *   dist/stamp.json        what it was made from (src/build/stamp.ts)
 *   dist/THIRD-PARTY-LICENSES.txt  the licenses of the bundled packages
 *
 * It builds into a fresh folder and swaps it in, so a half-finished build is
 * never seen as dist/. `ensureBuilt()` rebuilds only when the stamp says so.
 *
 *   node --import tsx dev/build.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { build as esbuild, type Metafile, type Plugin } from "esbuild";
import { type BuildPart, hashFile, staleBuild, STAMP_FILE, type Stamp } from "../src/build/stamp.ts";
import { buildPage, PREBUILT_PAGE } from "../src/http/page-bundle.ts";
import { ROOT } from "./paths.ts";

/**
 * The npm packages `serve` loads at start, bundled with our code. Loaded from
 * node_modules instead, as ~215 CommonJS files through Node's ES module
 * loader, they cost 7–10 MB more idle RSS (BENCHMARKS.md: module records,
 * the CommonJS export scanner, and Node's own loader code hot enough to be
 * optimized). Everything else stays an import, resolved from node_modules at
 * run time: what `serve` loads late or never (the smoke command's WebRTC,
 * peerjs, signals; esbuild) and any new dependency until it is listed here.
 * They stay `dependencies` all the same: Deno runs the TypeScript, which
 * imports them.
 */
const BUNDLED = new Set(["altcha-lib", "commander", "express", "peer", "prom-client", "proxy-addr", "ws"]);

/**
 * The Redis stores' Lua scripts, which their modules read beside themselves
 * (`new URL("./common.lua", import.meta.url)`): in dist/ those modules are
 * chunks at the top, so each folder's scripts are copied where the URLs then
 * point (source folder → folder under dist/).
 */
const LUA = { "src/matchmaker/redis": ".", "src/safety/redis": "redis" } as const;

/**
 * Packages that a bundled package brings its own older copy of, bundled once:
 * its imports get ours. `peer` nests Express 4 (with its own body-parser,
 * iconv-lite, mime-db, qs…, ~800 KB of source that Node keeps in the heap
 * for as long as the server runs). What it uses (`express()`, `Router`,
 * `get`, `use`, `set`, the `mount` event, `res.send`, `res.sendStatus`,
 * `res.contentType`; the paths `/`, `/:key`, `/id`, `/peers`) Express 5
 * keeps, and `test/cli.test.ts` asks its routes through the build.
 */
const ONE_COPY = new Set(["express"]);

/** Optional native add-ons that `ws` tries to require and does without. */
const OPTIONAL = new Set(["bufferutil", "utf-8-validate"]);

export interface BuildSummary {
  readonly ms: number;
  /** Bytes written per part. */
  readonly bytes: Readonly<Record<BuildPart, number>>;
}

/**
 * Builds dist/ under `root` (default: this repository).
 * @example
 * const { ms } = await build(); // dist/ holds the server, the page and the stamp
 */
export async function build(root: string = ROOT): Promise<BuildSummary> {
  const started = performance.now();
  const temp = join(root, `.dist-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  try {
    const server = await esbuild({
      absWorkingDir: root,
      entryPoints: { chatroulette: "bin/chatroulette.ts", stamp: "src/build/stamp.ts" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20.10",
      plugins: [bundleOnly(BUNDLED)],
      // The bundled packages are CommonJS: give them Node's require.
      banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
      // Whitespace and syntax only: names stay, so stack traces still say which function.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: "eof",
      outdir: temp,
      metafile: true,
      logLevel: "warning",
    });
    const page = await buildPage(esbuild, root);
    const pageDir = join(temp, PREBUILT_PAGE.replace(/^dist\//, ""));
    await mkdir(join(pageDir, "assets"), { recursive: true });
    await Promise.all(page.files.map((file) => writeFile(join(pageDir, file.path), file.body)));
    const shell = "ui/index.html";
    await cp(join(root, shell), join(pageDir, "index.html"));
    await writeFile(join(temp, "THIRD-PARTY-LICENSES.txt"), licenses(root, server.metafile));
    const scripts = await copyLua(root, temp);
    const stamp: Stamp = {
      parts: {
        server: hashes(root, [...ownInputs(Object.keys(server.metafile.inputs)), ...scripts]),
        page: hashes(root, [...ownInputs(page.inputs), shell]),
      },
    };
    await writeFile(join(temp, "stamp.json"), `${JSON.stringify(stamp, null, 1)}\n`);
    await swapIn(temp, join(root, "dist"));
    return { ms: performance.now() - started, bytes: { server: outputBytes(server.metafile), page: page.files.reduce((n, file) => n + file.body.length, 0) } };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Builds when dist/ is missing or older than the sources; says why on stderr. */
export async function ensureBuilt(root: string = ROOT): Promise<void> {
  const stale = staleBuild(root, ["server", "page"]);
  if (stale === null) return;
  process.stderr.write(`build: ${stale}; building\n`);
  await build(root);
}

/** npm packages imported by our own files are left as imports unless listed; theirs are bundled with them. */
function bundleOnly(bundled: ReadonlySet<string>): Plugin {
  return {
    name: "bundle-only",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path, importer, kind, pluginData }) => {
        if (path.startsWith("node:")) return { external: true };
        const name = packageName(path);
        if (OPTIONAL.has(name)) return { external: true };
        if (ONE_COPY.has(name) && pluginData !== ONE_COPY) {
          return build.resolve(path, { kind, resolveDir: build.initialOptions.absWorkingDir, pluginData: ONE_COPY });
        }
        if (importer.split(/[\\/]/).includes("node_modules") || bundled.has(name)) return undefined;
        return { external: true };
      });
    },
  };
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Copies the Lua scripts (LUA) into `out`; returns their source paths, for the stamp. */
async function copyLua(root: string, out: string): Promise<string[]> {
  const copied: string[] = [];
  for (const [from, to] of Object.entries(LUA)) {
    await mkdir(join(out, to), { recursive: true });
    for (const name of readdirSync(join(root, from)).filter((file) => file.endsWith(".lua")).sort()) {
      await cp(join(root, from, name), join(out, to, name));
      copied.push(`${from}/${name}`);
    }
  }
  return copied;
}

/** The package's own files esbuild read (not node_modules), "/"-separated, relative to the root. */
function ownInputs(inputs: readonly string[]): string[] {
  return [...new Set(inputs)].filter((path) => !path.split("/").includes("node_modules")).sort();
}

/** Name, version, license and license text of every package with code in the bundle. */
function licenses(root: string, metafile: Metafile): string {
  const dirs = new Set<string>();
  for (const path of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (match) dirs.add(match[1]);
  }
  const sections = [...dirs].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const file = readdirSync(join(root, dir)).find((name) => /^licen[cs]e(\.|$)/i.test(name));
    const text = file ? readFileSync(join(root, dir, file), "utf8").trim() : `(no license file; package.json says ${manifest.license})`;
    return `${manifest.name} ${manifest.version} (${manifest.license})\n\n${text}\n`;
  });
  return `dist/chatroulette.js bundles these packages:\n\n${sections.join(`\n${"-".repeat(72)}\n\n`)}`;
}

function hashes(root: string, paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((path) => [path, hashFile(root, path)!]));
}

function outputBytes(metafile: Metafile): number {
  return Object.values(metafile.outputs).reduce((n, output) => n + output.bytes, 0);
}

/** Replaces `target` with `fresh` by renames, so readers see the old build or the new one. */
async function swapIn(fresh: string, target: string): Promise<void> {
  const old = `${fresh}-old`;
  await rename(target, old).catch((error) => {
    if (error.code !== "ENOENT") throw error;
  });
  await rename(fresh, target);
  await rm(old, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ms, bytes } = await build();
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  // On stderr: npm runs this before `npm pack --json`, whose stdout must be only its JSON.
  process.stderr.write(`built dist/ in ${(ms / 1000).toFixed(1)} s: server ${kb(bytes.server)}, page ${kb(bytes.page)} (${STAMP_FILE} records the sources)\n`);
}
