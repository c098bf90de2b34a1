/**
 * Each signaling client holds a file descriptor. Past the process's open-file
 * limit, accept() fails and visitors see resets instead of a clean 503, so the
 * client cap is kept under that limit, with room for HTTP and files.
 */
import { readFileSync } from "node:fs";

/** The soft "Max open files" limit, or null where /proc does not tell (non-Linux). */
export function openFileLimit(read: (path: string) => string = (p) => readFileSync(p, "utf8")): number | null {
  try {
    const match = read("/proc/self/limits").match(/^Max open files\s+(\d+|unlimited)/m);
    return match && match[1] !== "unlimited" ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The clients a process with `limit` descriptors can hold, keeping 5% (at least 100) spare. */
export function clientCapacity(limit: number | null): number {
  if (limit === null) return Infinity;
  return Math.max(1, limit - Math.max(100, Math.ceil(limit * 0.05)));
}
