/**
 * The floor for a signaling server on Node: a bare `ws` server that greets
 * each socket with PeerServer's OPEN and ignores what it is sent. Used by the
 * benchmark to show what one idle WebSocket costs before any server logic.
 *
 *   node bench/ws-server.ts <port>   (run with tsx)
 */
import process from "node:process";
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0), clientTracking: false });
wss.on("listening", () => console.log(`Started bare ws on http://127.0.0.1:${(wss.address() as { port: number }).port}/`));
wss.on("connection", (ws) => ws.send('{"type":"OPEN"}'));
