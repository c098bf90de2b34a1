/**
 * The page's files: the HTML shell (ui/index.html) and the Preact island
 * bundled from ui/main.tsx with its CSS. The build (`npm run build`, run by
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
 * with content-hashed names; `outdir` is where the assets go.
 * @example
 * await esbuild.build({ ...pageBuildOptions(root, "dist/page/assets"), write: true });
 */
export function pageBuildOptions(root: string, outdir: string) {
  const ui = join(root, "ui");
  return {
    absWorkingDir: root,
    entryPoints: [join(ui, "main.tsx")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir,
    entryNames: "app-[hash]",
    logLevel: "silent",
    // peerjs only reads browserDetails from webrtc-adapter; see ui/webrtc-adapter.ts.
    alias: { "webrtc-adapter": join(ui, "webrtc-adapter.ts") },
  } as const satisfies BuildOptions;
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
 * Bundles ui/ in memory, as the build does to disk, and stops esbuild's
 * service process, which would otherwise idle beside the server (~21 MB RSS).
 * @example
 * const assets = await bundlePage(root); // [{ path: "/assets/app-<hash>.css", … }, { path: "/assets/app-<hash>.js", … }]
 */
export async function bundlePage(root: string): Promise<PageFile[]> {
  const { build, stop } = await import("esbuild");
  const result = await build({ ...pageBuildOptions(root, "/assets"), write: false }).finally(() => stop());
  return result.outputFiles
    .map((file) => ({ path: file.path, body: Buffer.from(file.contents) }))
    .sort((a, b) => a.path < b.path ? -1 : 1);
}
