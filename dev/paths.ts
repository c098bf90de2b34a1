/** Where things are, for the tests and the bench: the repository root, with a trailing slash. */
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
