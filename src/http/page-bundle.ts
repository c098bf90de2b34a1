/**
 * The page's files: the HTML shell (ui/index.html), the Preact island
 * bundled from ui/main.tsx with its CSS, and beside it the proof-of-work Web
 * Worker (ui/pow-worker.ts), bundled on its own. The build (`npm run build`, run by
 * `npm install`) bundles them into dist/page/, so a server started from the
 * build only reads files: no esbuild at run time, ~60 ms less to start and
 * esbuild not a dependency of the package (BENCHMARKS.md). When that copy is
 * missing or older than ui/ (a clone whose ui/ was just edited, under tsx or
 * Deno), ui/ is bundled in memory instead, with the same options, so the
 * bytes served are the same either way (test/build.test.ts).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BuildOptions } from "esbuild";
import { staleBuild } from "../build/stamp.ts";

export interface PageFile {
  /** Where it is served: "/assets/app-<hash>.js". */
  readonly path: string;
  readonly body: Buffer;
}

export interface PageFiles {
  /** ui/index.html, with its `<!--config-->` and `<!--assets-->` placeholders. */
  readonly shell: string;
  readonly assets: readonly PageFile[];
  /** "prebuilt": read from dist/page/; "bundled": bundled from ui/ by this process. */
  readonly from: "prebuilt" | "bundled";
}

/** Where the build puts the page, relative to the package root. */
export const PREBUILT_PAGE = "dist/page/";

/**
 * esbuild's options for the page, given the package root: minified ES2022
 * with content-hashed names, served from /assets/.
 */
function pageBuildOptions(root: string) {
  return {
    absWorkingDir: root,
    bundle: true,
    write: false,
    target: "es2022",
    minify: true,
    legalComments: "none",
    outdir: "/assets",
    metafile: true,
    logLevel: "silent",
    // The TypeScript settings that shape the output, given here rather than read from tsconfig.json,
    // which the package does not ship: a build in a clone and a bundle in an installed copy must
    // agree byte for byte ("use strict" in the worker came and went with that file).
    tsconfigRaw: { compilerOptions: { strict: true, verbatimModuleSyntax: true } },
  } as const satisfies BuildOptions;
}

/**
 * Bundles the page in memory (the build writes the result to dist/page/):
 * first the worker, a classic script because module workers are newer than
 * the rest of what the page needs, then the island, which is told the
 * worker's hashed URL.
 * @example
 * const { files } = await buildPage(esbuild.build, "/opt/chatroulette/"); // app-<hash>.js, app-<hash>.css, pow-worker-<hash>.js
 */
export async function buildPage(build: typeof import("esbuild").build, root: string): Promise<{ files: PageFile[]; inputs: string[] }> {
  const ui = join(root, "ui");
  const common = pageBuildOptions(root);
  const worker = await build({ ...common, entryPoints: [join(ui, "pow-worker.ts")], format: "iife", entryNames: "pow-worker-[hash]" });
  const app = await build({
    ...common,
    entryPoints: [join(ui, "main.tsx")],
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "app-[hash]",
    define: { POW_WORKER_URL: JSON.stringify(worker.outputFiles[0].path) },
    // peerjs only reads browserDetails from webrtc-adapter, and the page never packs binary: see both files.
    alias: { "webrtc-adapter": join(ui, "webrtc-adapter.ts"), "peerjs-js-binarypack": join(ui, "binarypack.ts") },
  });
  const files = [...app.outputFiles, ...worker.outputFiles]
    .map((file) => ({ path: file.path, body: Buffer.from(file.contents) }))
    .sort((a, b) => a.path < b.path ? -1 : 1);
  return { files, inputs: [...Object.keys(app.metafile.inputs), ...Object.keys(worker.metafile.inputs)] };
}

/**
 * The page's files from dist/page/ when that build is current, else bundled
 * from ui/ now.
 * @example
 * const { shell, assets } = await loadPageFiles("/opt/chatroulette/");
 */
export async function loadPageFiles(root: string): Promise<PageFiles> {
  if (staleBuild(root, ["page"]) === null) {
    const dir = join(root, PREBUILT_PAGE);
    const names = (await readdir(join(dir, "assets"))).sort();
    const [shell, ...bodies] = await Promise.all([
      readFile(join(dir, "index.html"), "utf8"),
      ...names.map((name) => readFile(join(dir, "assets", name))),
    ]);
    return { shell, assets: names.map((name, i) => ({ path: `/assets/${name}`, body: bodies[i] as Buffer })), from: "prebuilt" };
  }
  const [shell, assets] = await Promise.all([readFile(join(root, "ui", "index.html"), "utf8"), bundlePage(root)]);
  return { shell, assets, from: "bundled" };
}

/**
 * Bundles ui/ in memory, as the build does, and stops esbuild's service
 * process, which would otherwise idle beside the server (~21 MB RSS).
 * @example
 * const assets = await bundlePage(root); // [{ path: "/assets/app-<hash>.css", … }, …]
 */
export async function bundlePage(root: string): Promise<PageFile[]> {
  const { build, stop } = await import("esbuild");
  return (await buildPage(build, root).finally(() => stop())).files;
}
