/**
 * A loopback TCP port free at the moment of asking, for the servers the
 * tests and the bench start themselves (redis-server, coturn, PeerServer's
 * CLI), which cannot be told to pick their own and report it.
 */
import { createServer } from "node:net";

/**
 * @example
 * const port = await freePort(); // then: redis-server --port <port>
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    }).on("error", reject);
  });
}
