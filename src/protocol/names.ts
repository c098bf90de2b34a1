/** Names clients and the server exchange: pools and peer ids. */

/** The pool a FIND without one joins. */
export const DEFAULT_POOL = "public";

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Pool names and peer ids: 1–64 of `A-Z a-z 0-9 - _`, what a URL or a shell carries unquoted. */
export function isName(value: unknown): value is string {
  return typeof value === "string" && NAME.test(value);
}
