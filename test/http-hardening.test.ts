/**
 * The server's HTTP face against hostile clients: security headers on the
 * page and the API, which origins may use the sockets and the API, and how
 * long slow or idle connections are held. A real server on port 0, raw TCP
 * where a well-behaved client library would not misbehave.
 */
import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import { describe, test } from "node:test";
import { WebSocket } from "ws";
import { HTTP_LIMITS } from "../src/server.ts";
import { identity, refusedUpgrade, socketUrl } from "./support/client.ts";
import { type RunningServer, withServer } from "./support/server.ts";

/** Writes `text` on a raw connection and resolves with what came back and when the server closed it. */
function rawHttp(server: RunningServer, text: string, pause?: { afterMs: number; text: string }) {
  return new Promise<{ reply: string; closedAfterMs: number }>((resolve) => {
    const started = Date.now();
    let reply = "";
    const socket = tcpConnect(server.port, "127.0.0.1", () => {
      socket.write(text);
      if (pause) setTimeout(() => socket.writable && socket.write(pause.text), pause.afterMs);
    });
    socket.on("data", (chunk) => reply += chunk);
    socket.on("error", () => {});
    socket.on("close", () => resolve({ reply, closedAfterMs: Date.now() - started }));
  });
}

/** Opens a socket as a browser page of `origin` would; resolves with the status it got. */
function upgradeFrom(url: string, origin: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.on("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.on("error", () => {});
    ws.on("unexpected-response", (_req, res) => {
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
  });
}

describe("security headers", () => {
  test("when the page is served, then it carries a CSP with its inline script's hash, and no framing by other sites", async (t) => {
    const server = await withServer(t);
    const res = await fetch(server.url);
    const html = await res.text();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /connect-src 'self'/);
    const worker = csp.split("; ").filter((d) => d.startsWith("worker-src"));
    assert.deepEqual(worker, ["worker-src 'self'"], "the proof-of-work worker, from this origin only (no blob:)");
    assert.match(csp, /frame-ancestors 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(inline.length, 1, "one inline script (the early identity request)");
    const { createHash } = await import("node:crypto");
    assert.ok(csp.includes(`'sha256-${createHash("sha256").update(inline[0]).digest("base64")}'`));
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.equal(res.headers.get("permissions-policy"), "camera=(self), microphone=(self), display-capture=(self)");
  });

  test("when the API, health checks and PeerServer's routes answer, then they are not sniffable, framable or open to CORS", async (t) => {
    const server = await withServer(t);
    const evil = { Origin: "https://evil.example" };
    for (const path of ["/api/config", "/healthz", "/signaling/", "/signaling/peerjs/id", "/nowhere"]) {
      const res = await fetch(`${server.origin}${path}`, { headers: evil });
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'self'/, path);
      assert.equal(res.headers.get("access-control-allow-origin"), null, `${path} echoes no Origin`);
    }
  });

  test("when the operator allows another origin, then only it may frame the page, use the camera there and call the API", async (t) => {
    const server = await withServer(t, { allowOrigin: ["https://blog.example"] });
    const page = await fetch(server.url);
    assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'self' https:\/\/blog\.example/);
    assert.equal(page.headers.get("x-frame-options"), null, "X-Frame-Options cannot name another site");
    assert.match(page.headers.get("permissions-policy") ?? "", /camera=\(self "https:\/\/blog\.example"\)/);
    const allowed = await fetch(`${server.origin}/api/identity`, { method: "POST", headers: { Origin: "https://blog.example" } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://blog.example");
    const other = await fetch(`${server.origin}/api/identity`, { method: "POST", headers: { Origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});

describe("socket origins", () => {
  test("when another website's page opens a signaling socket, then it is refused with 403; the page's own origin and scripts get in", async (t) => {
    const server = await withServer(t);
    const evil = await refusedUpgrade(socketUrl(server, ...Object.values(await identity(server)) as [string, string]), {
      Origin: "https://evil.example",
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error, "origin_not_allowed");
    const { id, token } = await identity(server);
    assert.equal(await upgradeFrom(socketUrl(server, id, token), "null"), 403, "sandboxed or file pages");
    assert.equal(await upgradeFrom(socketUrl(server, id, token), `http://localhost:${server.port}`), 403, "another host");
    assert.equal(await upgradeFrom(socketUrl(server, id, token), server.origin), 101, "the page's own origin");
    const second = await identity(server);
    const script = new WebSocket(socketUrl(server, second.id, second.token)); // sends no Origin
    t.after(() => script.terminate());
    await new Promise((resolve, reject) => {
      script.once("open", resolve);
      script.once("unexpected-response", reject);
    });
  });

  test("when the operator allows another origin, then its pages may open sockets", async (t) => {
    const server = await withServer(t, { allowOrigin: ["https://blog.example"] });
    const { id, token } = await identity(server);
    assert.equal(await upgradeFrom(socketUrl(server, id, token), "https://blog.example"), 101);
    const other = await identity(server);
    assert.equal(await upgradeFrom(socketUrl(server, other.id, other.token), "https://evil.example"), 403);
  });
});

describe("connection limits", { concurrency: true, timeout: 40_000 }, () => {
  const bound = (ms: number) => ms + 2000;

  test("when a connection sends nothing, then it is closed within the header timeout", async (t) => {
    const server = await withServer(t);
    const { reply, closedAfterMs } = await rawHttp(server, "");
    assert.ok(closedAfterMs <= bound(HTTP_LIMITS.headersTimeoutMs), `held ${closedAfterMs} ms`);
    assert.match(reply, /^HTTP\/1\.1 408|^$/);
  });

  test("when a request's headers never end, then it is answered 408 and closed within the header timeout", async (t) => {
    const server = await withServer(t);
    const { reply, closedAfterMs } = await rawHttp(server, "GET /api/config HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    assert.ok(closedAfterMs <= bound(HTTP_LIMITS.headersTimeoutMs), `held ${closedAfterMs} ms`);
    assert.match(reply, /^HTTP\/1\.1 408/);
  });

  test("when a request's body never ends, then the connection is closed within the request timeout", async (t) => {
    const server = await withServer(t);
    const { closedAfterMs } = await rawHttp(server, "POST /api/identity HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc");
    assert.ok(closedAfterMs <= bound(HTTP_LIMITS.requestTimeoutMs), `held ${closedAfterMs} ms`);
  });

  test("when an answered connection idles or starts a request it never finishes, then it is closed", async (t) => {
    const server = await withServer(t);
    const request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const idle = rawHttp(server, request);
    const half = rawHttp(server, request, { afterMs: 500, text: "GET /healthz HTTP/1.1\r\n" });
    const [a, b] = await Promise.all([idle, half]);
    assert.ok(a.closedAfterMs <= bound(HTTP_LIMITS.keepAliveTimeoutMs), `idle keep-alive held ${a.closedAfterMs} ms`);
    assert.ok(b.closedAfterMs <= bound(HTTP_LIMITS.idleTimeoutMs), `pipelined half-request held ${b.closedAfterMs} ms`);
  });

  test("when an API request carries a large body, then it is refused with 413 and the server goes on", async (t) => {
    const server = await withServer(t);
    const res = await fetch(`${server.origin}/api/identity`, { method: "POST", body: "x".repeat(100_000) });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error, "payload_too_large");
    assert.equal((await fetch(`${server.origin}/api/identity`, { method: "POST" })).status, 201);
  });
});
