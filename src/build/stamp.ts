/**
 * What the JavaScript build in dist/ was made from. The build (dev/build.ts)
 * writes dist/stamp.json: for each part (the server and the page) the
 * package's own source files esbuild read, each with a hash of its content.
 * Before running the build, `chatroulette` rehashes those files, so it never
 * runs JavaScript older than the TypeScript beside it. Content, not times:
 * git checkouts, copies and npm's tarballs all set file times of their own.
 * Rehashing the ~160 files takes a few milliseconds (BENCHMARKS.md).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export const STAMP_FILE = "dist/stamp.json";

export type BuildPart = "server" | "page";

/** Per part, each source file (relative to the package root, "/"-separated) → sha256 of its content. */
export interface Stamp {
  readonly parts: Readonly<Record<BuildPart, Readonly<Record<string, string>>>>;
}

/**
 * sha256 of a file's UTF-8 text, hex; null when the file is gone. `path` is
 * relative to `root` and "/"-separated; the sources are all text.
 *
 * Read as text, joined by hand: `serve` checks ~160 files at every start,
 * and the general path (Buffer reads, path.join's normalizing) ran Node's
 * argument checks often enough for V8 to optimize them. The optimizing
 * compiler's first run touches ~3.5 MB of Node's own code that an idle server
 * otherwise never needs (BENCHMARKS.md, idle RSS). readFileSync with "utf8"
 * is one call into Node's C++.
 */
export function hashFile(root: string, path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(under(root, path), "utf8")).digest("hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Why the build of `parts` cannot be used as it is, in a few words, or null
 * when every source file it was made from is unchanged.
 * @example
 * staleBuild("/opt/chatroulette/", ["server", "page"]);
 * // null, or "src/server.ts changed since dist/ was built"
 */
export function staleBuild(root: string, parts: readonly BuildPart[]): string | null {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(under(root, STAMP_FILE), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "there is no JavaScript build (dist/ is missing)";
    return `${STAMP_FILE} is unreadable (${(error as Error).message})`;
  }
  for (const part of parts) {
    const files = stamp.parts?.[part];
    if (!files) return `${STAMP_FILE} does not describe the ${part}`;
    for (const [path, hash] of Object.entries(files)) {
      const now = hashFile(root, path);
      if (now !== hash) return `${path} ${now === null ? "is gone" : "changed"} since dist/ was built`;
    }
  }
  return null;
}

/** `path` ("/"-separated, relative) under `root`, joined by hand (see hashFile). */
function under(root: string, path: string): string {
  return root.endsWith("/") ? root + path : `${root}/${path}`;
}
