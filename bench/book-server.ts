/**
 * The book chapter's design, rebuilt as a benchmark reference (not product
 * code): Express + ExpressPeerServer at /signaling with PeerServer's defaults,
 * geoip-lite with its full data loaded, and GET /find?id= pairing from arrays
 * (clients poll it every 4 s). Prints "Started book reference on http://…".
 *
 *   node --import tsx bench/book-server.ts <port>
 */
import { createRequire } from "node:module";
import process from "node:process";
import express from "express";
import { ExpressPeerServer } from "peer";

const require = createRequire(import.meta.url);
require("geoip-lite"); // the book looks countries up, so its full tables are loaded

const app = express();
const server = app.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`Started book reference on http://127.0.0.1:${port}/`);
});
const peerServer = ExpressPeerServer(server, {});
app.use("/signaling", peerServer);

const connected: string[] = [];
const waiting: string[] = [];
peerServer.on("connection", (client) => {
  if (!connected.includes(client.getId())) connected.push(client.getId());
});
peerServer.on("disconnect", (client) => {
  const id = client.getId();
  if (connected.includes(id)) connected.splice(connected.indexOf(id), 1);
  if (waiting.includes(id)) waiting.splice(waiting.indexOf(id), 1);
});

app.get("/find", (req, res) => {
  const id = String(req.query.id);
  if (!connected.includes(id)) return res.status(404).send("Not found");
  if (!waiting.includes(id)) waiting.push(id);
  if (waiting.length < 2) return res.status(404).send("Not found");
  waiting.splice(waiting.indexOf(id), 1);
  const found = waiting.shift()!;
  res.send(found);
});
