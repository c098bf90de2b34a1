/**
 * The page and its assets over HTTP: caching and compression as browsers
 * negotiate them, and the client config inline.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { type RunningServer, withServer } from "./support/server.ts";

/** A GET with exactly these headers (fetch would add and decode encodings itself). */
function get(server: RunningServer, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }>((resolve, reject) => {
    request(`${server.origin}${path}`, { headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => bytes += chunk.length);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    }).on("error", reject).end();
  });
}

test("when a browser asks for the page with and without gzip, then each gets its encoding, its own ETag, and 304 when fresh", async (t) => {
  const server = await withServer(t);
  const gzip = await get(server, "/", { "Accept-Encoding": "gzip, deflate, br" });
  const plain = await get(server, "/", { "Accept-Encoding": "identity" });
  assert.equal(gzip.headers["content-encoding"], "gzip");
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.ok(gzip.bytes < plain.bytes);
  assert.match(String(gzip.headers.vary), /Accept-Encoding/);
  assert.notEqual(gzip.headers.etag, plain.headers.etag);
  assert.equal(gzip.headers["cache-control"], "no-cache");
  const again = await get(server, "/", { "Accept-Encoding": "gzip", "If-None-Match": String(gzip.headers.etag) });
  assert.equal(again.status, 304);
  assert.equal(again.bytes, 0);
  const refused = await get(server, "/", { "Accept-Encoding": "gzip;q=0, identity" });
  assert.equal(refused.headers["content-encoding"], undefined, "gzip;q=0 means not gzip");
});

test("when the page's script is fetched, then it is cached for good under its hashed name", async (t) => {
  const server = await withServer(t);
  const html = await (await fetch(server.url)).text();
  const script = html.match(/src="(\/assets\/app-[^"]+\.js)"/)![1];
  const res = await get(server, script, { "Accept-Encoding": "gzip" });
  assert.equal(res.status, 200);
  assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.match(String(res.headers["content-type"]), /^text\/javascript/);
  assert.equal((await get(server, "/assets/app-nothing.js")).status, 404);
});

test("when the proof-of-work worker is fetched at the path the page was built with, then it is there, cached for good", async (t) => {
  const server = await withServer(t);
  const html = await (await fetch(server.url)).text();
  const script = html.match(/src="(\/assets\/app-[^"]+\.js)"/)![1];
  const app = await (await fetch(`${server.origin}${script}`)).text();
  const worker = app.match(/"(\/assets\/pow-worker-[A-Z0-9]+\.js)"/)![1];
  const res = await get(server, worker);
  assert.equal(res.status, 200);
  assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable");
});
