/**
 * A TCP relay on 127.0.0.1 in front of a real service, which a test can cut
 * (as a network partition or a vanished host would) and restore. Only the
 * network is faked; both ends are real.
 */
import { connect, createServer, type Socket } from "node:net";
import type { TestContext } from "node:test";

export interface Cuttable {
  readonly port: number;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  restore(): void;
}

export async function cuttableProxy(t: TestContext, targetPort: number): Promise<Cuttable> {
  const open = new Set<Socket>();
  let cut = false;
  const server = createServer((inbound) => {
    if (cut) return inbound.destroy();
    const outbound = connect(targetPort, "127.0.0.1");
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        open.delete(socket);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of open) socket.destroy();
    server.close();
  });
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
  };
}
