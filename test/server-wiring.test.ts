/**
 * createServer's promise: built without I/O, nothing half-built reachable
 * before listen(), and the app usable in-process (mounted in an embedder's
 * own HTTP server) once it is.
 */
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { test } from "node:test";
import { resolveConfig } from "../src/config/load.ts";
import { createServer } from "../src/server.ts";
import { ADDRESS } from "./support/server.ts";

const config = resolveConfig({
  file: { host: "127.0.0.1", port: 0, logLevel: "silent", stunUrl: "none", blockCountry: "GB", trustProxy: "loopback" },
});
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

test("when a server is created, then it starts no timers and binds nothing until listen()", () => {
  const before = timers();
  const server = createServer(config);
  assert.equal(timers(), before, "no timers started");
  assert.equal(server.httpServer.listening, false);
  assert.throws(() => server.app, /call listen\(\) first/);
});

test("when the app is mounted in an embedder's own HTTP server after listen(), then it answers with the country gate in force", async (t) => {
  const server = createServer(config);
  t.after(() => server.close());
  await server.listen();
  const embedder = createHttpServer(server.app);
  t.after(() => embedder.close());
  await new Promise<void>((resolve) => embedder.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(embedder.address() as AddressInfo).port}`;
  const blocked = await fetch(`${origin}/api/identity`, { method: "POST", headers: { "X-Forwarded-For": ADDRESS.GB } });
  assert.equal(blocked.status, 403);
  assert.equal((await blocked.json()).error, "country_blocked");
  const admitted = await fetch(`${origin}/api/identity`, { method: "POST", headers: { "X-Forwarded-For": ADDRESS.US } });
  assert.equal(admitted.status, 201);
});
