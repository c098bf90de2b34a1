/** The package version, read from package.json so there is one source. */
import { createRequire } from "node:module";

export const VERSION: string = createRequire(import.meta.url)("../package.json").version;
