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

test("when a browser asks in Chinese or in English, then <html lang> says which, the ETags differ, and the answer varies by Accept-Language", async (t) => {
  const server = await withServer(t);
  const page = async (language?: string) => {
    const res = await fetch(server.url, { headers: language === undefined ? {} : { "Accept-Language": language } });
    return { lang: (await res.text()).match(/<html lang="([^"]+)">/)?.[1], etag: res.headers.get("etag"), vary: res.headers.get("vary") };
  };
  const zh = await page("zh-CN,zh;q=0.9,en;q=0.8");
  const en = await page("en-GB,en;q=0.9");
  assert.equal(zh.lang, "zh");
  assert.equal(en.lang, "en");
  assert.notEqual(zh.etag, en.etag);
  assert.match(String(zh.vary), /Accept-Language/);
  assert.equal((await page("fr-FR")).lang, "en", "a language the page lacks gets the default");
  assert.equal((await page("fr-FR, zh-TW;q=0.5")).lang, "zh", "the best one the page speaks");
});

test("when a phone looks for the web app manifest, then it is linked from the page and names the app, its start and its icon", async (t) => {
  const server = await withServer(t);
  const html = await (await fetch(server.url)).text();
  assert.match(html, /<link rel="manifest" href="manifest.webmanifest">/);
  const res = await fetch(new URL("manifest.webmanifest", server.url));
  assert.match(String(res.headers.get("content-type")), /^application\/manifest\+json/);
  const manifest = await res.json() as { name: string; start_url: string; display: string; icons: { src: string; sizes: string; type: string }[] };
  assert.equal(manifest.name, "chatroulette");
  assert.equal(manifest.display, "standalone");
  assert.equal(manifest.start_url, "./");
  for (const icon of manifest.icons) {
    const image = await fetch(new URL(icon.src, server.url));
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), icon.type);
    assert.match(await image.text(), /^<svg /);
  }
});
