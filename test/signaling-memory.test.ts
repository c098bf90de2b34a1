/**
 * What the server keeps for a connected visitor, asked of the garbage
 * collector: nothing that only the handshake needed while the socket is open,
 * and nothing of the socket once it has closed. Twice a closure per socket
 * kept its upgrade request (URL, headers) alive, 1.5 KB per socket in heap
 * snapshots; `npm run bench -- --only perclient` measures what is left.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { connect } from "./support/client.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Whether `ref`'s object is collected within a few full collections (each after the current job, which keeps what deref() saw). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    if (ref.deref() === undefined) return true;
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

describe("what a socket keeps", () => {
  test("when a visitor's socket is open, then its upgrade request is not kept; when it closes, neither is the socket", async (t) => {
    const server = await withServer(t);
    const upgrades: Array<{ req: WeakRef<IncomingMessage>; socket: WeakRef<Duplex> }> = [];
    // Weak references only: this listener must not keep them itself.
    server.httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
      upgrades.push({ req: new WeakRef(req), socket: new WeakRef(socket) });
    });
    const visitor = await connect(t, server);
    visitor.find();
    await visitor.next("WAITING");
    assert.equal(upgrades.length, 1);
    assert.ok(await collected(upgrades[0].req), "the open socket's upgrade request is still reachable");
    assert.ok(!(await collected(upgrades[0].socket)), "the open socket itself was collected");

    visitor.close();
    await visitor.closed;
    // The server hears the close frame after the client has: wait until it has let the socket go.
    await waitFor(() => collected(upgrades[0].socket), { timeout: 5000, interval: 50 });
  });
});
