/**
 * Matchmaking commands of one visitor run one after another, whatever the
 * store's latency, and whichever socket issued them: a visitor who reconnects
 * with the same id gets a new socket while the old one's disconnect may still
 * be on its way to the store, and it must land before the new socket's FIND,
 * or it would take the new socket out of the queue. So the order is kept per
 * visitor id, not per socket.
 */
export interface Serial {
  /** Runs `task` after every task already queued for `key`; resolves or rejects as it does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves when no task is queued for any key. */
  idle(): Promise<void>;
  /** Keys with a task queued or running. */
  readonly size: number;
}

/**
 * @example
 * const serial = createSerial();
 * void serial.run(id, () => store.disconnect(id, now)); // old socket
 * void serial.run(id, () => store.find(id, pool, now)); // new socket: runs second
 */
export function createSerial(): Serial {
  // The tail of each key's chain; a key with nothing queued holds no entry.
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key);
      const run = (previous ?? Promise.resolve()).then(task);
      const tail = run.then(() => {}, () => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
    get size() {
      return tails.size;
    },
  };
}
