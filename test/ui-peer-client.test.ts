/**
 * The page's peerjs adapter (ui/peer-client.ts) against a hostile stranger:
 * a real server, real peerjs and a real WebRTC stack in this process
 * (@roamhq/wrtc, as the smoke bots use), the stranger a bare peerjs client.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DataConnection } from "peerjs";
import { type ClientConfig, decodeServerFrame } from "../src/protocol/index.ts";
import { loadPeerJs } from "../src/smoke/webrtc.ts";
import { type DataLink, peerSignaling, type SignalingEvents } from "../ui/peer-client.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

const POOL = "hostile-peer-test";

async function identity(origin: string): Promise<{ id: string; token: string }> {
  const res = await fetch(`${origin}/api/identity`, { method: "POST" });
  assert.equal(res.status, 201);
  return await res.json();
}

describe("the page's peerjs adapter", () => {
  test("when the stranger offers a data connection that is not JSON, then the page closes it unseen and still takes a JSON one", async (t) => {
    const server = await withServer(t);
    const { Peer } = await loadPeerJs();
    const config = await (await fetch(`${server.origin}/api/config`)).json() as ClientConfig;
    const location = new URL(server.url);

    // The page's side, through the adapter; it waits first, so the stranger calls.
    const links: DataLink[] = [];
    let pageMatched = false;
    const events: SignalingEvents = {
      open: () => page.find(),
      match: () => void (pageMatched = true),
      partnerLeft() {},
      rejected() {},
      connection: (link) => void links.push(link),
      call() {},
      online() {},
      restart() {},
      closed() {},
    };
    const pageIdentity = await identity(server.origin);
    const page = peerSignaling(Peer, config, location, { pool: POOL })(pageIdentity, events);
    t.after(() => page.destroy());
    const waiting = async () => ((await (await fetch(`${server.origin}/api/stats`)).json()) as { waiting: number }).waiting;
    await waitFor(async () => await waiting() === 1);

    // The stranger: bare peerjs, its own frames on the same socket.
    const { id, token } = await identity(server.origin);
    const stranger = new Peer(id, { host: location.hostname, port: Number(location.port), path: config.path, key: config.key, token, secure: false, debug: 0 });
    t.after(() => stranger.destroy());
    let role = "";
    stranger.socket.on("message", (data: unknown) => {
      const frame = decodeServerFrame(data);
      if (frame?.type === "MATCH") role = frame.payload.role;
    });
    stranger.on("open", () => stranger.socket.send({ type: "FIND", payload: { pool: POOL } }));
    await waitFor(() => role !== "" && pageMatched);
    assert.equal(role, "caller");

    const opened: string[] = [];
    const offer = (serialization: string): DataConnection => {
      const conn = stranger.connect(pageIdentity.id, { serialization, reliable: true });
      conn.on("open", () => opened.push(serialization));
      return conn;
    };
    offer("binary");
    offer("json");
    // The page handles offers in the order they came: by the time the JSON one is up, the binary one was refused.
    await waitFor(() => opened.includes("json") && links.length === 1, { timeout: 10_000 });
    assert.deepEqual(links.map((link) => link.peer), [id], "the page saw the JSON connection only");
    assert.deepEqual(opened, ["json"], "the binary offer was never answered");
  });
});
