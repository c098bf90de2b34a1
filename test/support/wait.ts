/** Waiting on a condition with a deadline, never a fixed sleep. */

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(check: () => T | Promise<T>, { timeout = 5000, interval = 10 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>; // truthy, so neither null nor undefined
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
