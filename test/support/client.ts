/**
 * A scripted visitor on a raw WebSocket that speaks docs/PROTOCOL.md: it
 * decodes every frame it receives with the protocol module, so a frame the
 * protocol does not define fails the test waiting for it. Also well-formed
 * signaling payloads, and the upgrade as a refused client sees it.
 */
import type { Socket } from "node:net";
import type { TestContext } from "node:test";
import { type ClientOptions, WebSocket } from "ws";
import {
  type ClientFrame,
  decodeServerFrame,
  type RelayType,
  type ServerFrame,
  socketUrl as protocolSocketUrl,
} from "../../src/protocol/index.ts";
import type { RunningServer } from "./server.ts";

/** Well-formed payloads of the frames peerjs 1.5 relays, as a browser sends them. */
export const PAYLOAD = {
  OFFER: {
    sdp: { type: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" },
    type: "data",
    connectionId: "dc_test1",
    label: "dc_test1",
    reliable: true,
    serialization: "json",
  },
  ANSWER: { sdp: { type: "answer", sdp: "v=0\r\n" }, type: "data", connectionId: "dc_test1" },
  CANDIDATE: {
    candidate: {
      candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
      usernameFragment: "a1b2",
    },
    type: "data",
    connectionId: "dc_test1",
  },
  RESTART: { sdp: { type: "offer", sdp: "v=0\r\n" }, type: "media", connectionId: "mc_test1" },
  LEAVE: undefined,
} as const;

/** A well-formed signaling frame of `type` for `dst`. */
export function signal(type: RelayType, dst: string): ClientFrame {
  return PAYLOAD[type] === undefined ? { type, dst } : { type, dst, payload: PAYLOAD[type] };
}

/** Asks the server for an identity; `headers` lets a test pose as a proxied visitor. */
export async function identity(
  server: RunningServer,
  headers: Record<string, string> = {},
): Promise<{ id: string; token: string }> {
  const res = await fetch(`${server.origin}/api/identity`, { method: "POST", headers });
  if (res.status !== 201) throw new Error(`identity: HTTP ${res.status} ${await res.text()}`);
  return await res.json() as { id: string; token: string };
}

export function socketUrl(server: RunningServer, id: string, token: string, path = "/signaling"): string {
  return protocolSocketUrl(server.origin, path, { id, token });
}

/** A scripted visitor on a raw WebSocket: frames are queued until a test takes them. */
export class Client {
  /** Frames received and not yet taken; a frame the protocol does not define fails the test that waits. */
  readonly frames: ServerFrame[] = [];
  readonly ws: WebSocket;
  readonly id: string;
  /** Its identity's token, when known: a test may open another socket as the same visitor. */
  readonly token: string;
  #waiters: Array<() => void> = [];
  closed: Promise<{ code: number; reason: string }>;

  constructor(ws: WebSocket, id: string, token = "") {
    this.ws = ws;
    this.id = id;
    this.token = token;
    ws.on("message", (data) => {
      const frame = decodeServerFrame(JSON.parse(data.toString()));
      this.frames.push(frame ?? { type: "ERROR", payload: { msg: `undecodable frame: ${data.toString().slice(0, 200)}` } });
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: `${reason}` })));
  }

  /** Sends a frame, or raw text (for malformed frames). */
  send(frame: ClientFrame | string | Record<string, unknown>): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  find(pool?: string): void {
    this.send(pool === undefined ? { type: "FIND" } : { type: "FIND", payload: { pool } });
  }

  /** Resolves with (and removes) the first frame of `type`, waiting up to `timeout`. */
  async next<T extends ServerFrame["type"]>(type: T, timeout = 5000): Promise<Extract<ServerFrame, { type: T }>> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const i = this.frames.findIndex((f) => f.type === type);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Extract<ServerFrame, { type: T }>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.id}: no ${type} within ${timeout} ms (got ${this.types()})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** True if no frame of `type` arrived, after a round trip proves the socket is idle. */
  async none(type: ServerFrame["type"]): Promise<boolean> {
    this.send({ type: "FIND", payload: { pool: "__probe" } });
    await this.next("WAITING");
    this.send({ type: "STOP" });
    return !this.frames.some((f) => f.type === type);
  }

  /**
   * Stops reading from the socket, as a stalled or hostile client would: what
   * the server sends (pings and close frames included) goes unread, while
   * this side can still send.
   */
  stall(): void {
    (this.ws as unknown as { _socket: Socket })._socket.pause();
  }

  /** The types of frames not yet taken, except ONLINE (pushed to everyone, not an answer to anything). */
  types(): string {
    return this.frames.filter((f) => f.type !== "ONLINE").map((f) => f.type).join(",") || "nothing";
  }

  close(): void {
    this.ws.close();
  }
}

/** Gets an identity, connects and waits for OPEN. */
export async function connect(
  t: TestContext,
  server: RunningServer,
  headers: Record<string, string> = {},
): Promise<Client> {
  const { id, token } = await identity(server, headers);
  return await open(t, socketUrl(server, id, token), id, { headers }, token);
}

/** Opens the socket of identity `id` at `url` (ws options: headers, localAddress) and waits for OPEN. */
export async function open(t: TestContext, url: string, id: string, options: ClientOptions, token = ""): Promise<Client> {
  const ws = new WebSocket(url, options);
  const client = new Client(ws, id, token);
  t.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  await client.next("OPEN");
  return client;
}

/** Two visitors, connected and matched with each other (in `pool`, when given). */
export async function pair(t: TestContext, server: RunningServer, pool?: string): Promise<[Client, Client]> {
  const [a, b] = [await connect(t, server), await connect(t, server)];
  await match(a, b, pool);
  return [a, b];
}

/** `first` waits, then `second` asks: each is told of the other (whichever servers they are on); their MATCH frames. */
export async function match(first: Client, second: Client, pool?: string) {
  first.find(pool);
  await first.next("WAITING");
  second.find(pool);
  return await Promise.all([first.next("MATCH"), second.next("MATCH")]);
}

/** The server still admits and queues a new visitor. */
export async function stillServes(t: TestContext, server: RunningServer): Promise<void> {
  const c = await connect(t, server);
  c.find("__still-serves");
  await c.next("WAITING");
}

/** Opens an upgrade (from `localAddress`, if given) and reports how it was refused: status, headers and JSON body. */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    ws.on("open", () => {
      ws.terminate();
      reject(new Error("upgrade was accepted"));
    });
    ws.on("error", () => {});
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (chunk) => text += chunk);
      res.on("end", () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
  });
}
