/**
 * The package's root folder, where package.json is, found from a module's own
 * URL: the same module runs as TypeScript from src/ (tsx, Deno) and bundled
 * into dist/ (Node), at different depths.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * @example
 * packageRoot(import.meta.url); // "/opt/chatroulette/" from src/http/page.ts or dist/chatroulette.js
 */
export function packageRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
  return join(dir, "/");
}
