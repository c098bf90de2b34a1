/**
 * `chatroulette smoke <url>`: the real CLI against real servers — passing
 * against Node and Deno servers, and failing with the right exit code and
 * reason when the country is refused, the matchmaker never answers, the URL
 * is wrong, or the certificate is self-signed; and the bots' runtime taking
 * peerjs's stray rejections as a browser does.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { coturnMissing, startCoturn } from "../dev/coturn.ts";
import { createMemoryStore, type MatchStore } from "../src/matchmaker/store.ts";
import { reportPeerJsRejection } from "../src/smoke/webrtc.ts";
import { runCli, serveCli } from "./support/cli.ts";
import { withServer } from "./support/server.ts";
import { waitFor } from "./support/wait.ts";

interface Report {
  ok: boolean;
  exitCode: number;
  steps: Array<{ name: string; ms: number; ok: boolean; error?: string }>;
}

async function smoke(t: TestContext, args: string[]): Promise<{ code: number | null; report: Report; stdout: string }> {
  const { code, signal, stdout, stderr } = await runCli(t, ["smoke", ...args, "--json"]).exit;
  const last = stdout.trim().split("\n").at(-1)!;
  if (!last.startsWith("{")) assert.fail(`smoke printed no report (exit ${code ?? signal}): ${stderr}`);
  return { code, report: JSON.parse(last), stdout };
}

/** A matchmaker whose store never answers, as a hung shared store would. */
const stalled: MatchStore = {
  ...createMemoryStore(),
  find: () => new Promise(() => {}),
  stop: () => new Promise(() => {}),
  block: () => new Promise(() => {}),
  disconnect: async () => [],
  tick: async () => [],
};

describe("chatroulette smoke", () => {
  test("when run against a healthy Node server, then every step passes with timings and it exits 0", async (t) => {
    const server = await serveCli(t);
    const { code, report } = await smoke(t, [server.url, "--pairs", "3"]);
    assert.equal(code, 0, JSON.stringify(report));
    assert.equal(report.ok, true);
    const names = report.steps.map((s) => s.name);
    for (const step of ["reach the server", "pair 3: open the data channel", "pair 1: send a message each way", "press Next with a third bot waiting: matched again", "leave cleanly: each partner is told"]) {
      assert.ok(names.includes(step), step);
    }
    assert.ok(report.steps.every((s) => s.ok && typeof s.ms === "number"));
  });

  test("when asked for human output with media, then it prints a line per step and PASS", async (t) => {
    const server = await serveCli(t);
    const { code, stdout } = await runCli(t, ["smoke", server.url, "--media"]).exit;
    assert.equal(code, 0, stdout);
    const lines = stdout.trim().split("\n");
    assert.match(lines[0], /^chatroulette smoke http:\/\/127\.0\.0\.1:\d+\/ \(1 pair\)$/);
    assert.ok(lines.some((l) => /^  ok +\d+ ms  pair 1: receive video frames both ways$/.test(l)), stdout);
    assert.match(lines.at(-1)!, /^PASS \(\d+ steps in [\d.]+ s\)$/);
  });

  test("when every identity needs a proof-of-work challenge solved, then the bots solve it as the page does and pass", async (t) => {
    const server = await serveCli(t, ["--challenge", "always"]);
    const { code, report } = await smoke(t, [server.url, "--pairs", "2"]);
    assert.equal(code, 0, JSON.stringify(report));
  });

  test("when the server is --relay-only, then --media passes through coturn's relay and checks that it did", { skip: coturnMissing() ?? false }, async (t) => {
    const turn = await startCoturn();
    t.after(() => turn.stop());
    const server = await serveCli(t, ["--turn-url", turn.url, "--turn-secret", turn.secret, "--relay-only"]);
    const { code, report } = await smoke(t, [server.url, "--media", "--pairs", "2"]);
    assert.equal(code, 0, JSON.stringify(report));
    const names = report.steps.map((s) => s.name);
    for (const step of ["pair 1: receive video frames both ways", "pair 1: media goes through the TURN relay", "pair 2: media goes through the TURN relay"]) {
      assert.ok(names.includes(step), step);
    }
    // coturn's own account as each relay session ends: bytes relayed to and from a peer, for every bot.
    const relayedFor = () => {
      const users = [...turn.log().matchAll(/peer usage: realm=<[^>]*>, username=<\d+:([0-9a-f-]{36})>, rp=\d+, rb=(\d+)/g)];
      return new Set(users.filter((m) => Number(m[2]) > 0).map((m) => m[1])).size;
    };
    await waitFor(() => relayedFor() === 4, { timeout: 15_000 }).catch(() => assert.fail(`relayed for ${relayedFor()} of 4 bots`));
  });

  test("when run against a Deno server, then it passes", async (t) => {
    const server = await serveCli(t, [], "deno");
    const { code, report } = await smoke(t, [server.url, "--pairs", "2"]);
    assert.equal(code, 0, JSON.stringify(report));
  });

  test("when --path is given, then the bots use it instead of the path the server names", async (t) => {
    const server = await serveCli(t, ["--path", "/rtc"]);
    const wrong = await smoke(t, [server.url, "--path", "/elsewhere", "--timeout", "2"]);
    assert.equal(wrong.code, 1);
    const failed = wrong.report.steps.find((s) => !s.ok)!;
    assert.equal(failed.name, "pair 1: connect the signaling socket");
    assert.match(failed.error!, /signaling socket did not open within 2 s \(Unexpected server response: 404\)$/);
    const { code, report } = await smoke(t, [server.url, "--path", "/rtc"]);
    assert.equal(code, 0, JSON.stringify(report));
  });

  test("when the server refuses the bots' country, then it exits 1 saying so", async (t) => {
    const server = await serveCli(t, ["--unknown-country", "block"]);
    const { code, report } = await smoke(t, [server.url]);
    assert.equal(code, 1);
    const failed = report.steps.find((s) => !s.ok)!;
    assert.equal(failed.name, "reach the server");
    assert.match(failed.error!, /^refused by country: Chatroulette is not available from your network/);
  });

  test("when the bots' address is banned, then it exits 1 at once saying until when", async (t) => {
    const token = "smoke-test-moderator-token-0123456789";
    const server = await serveCli(t, ["--admin-token", token]);
    const ban = await fetch(`${server.url}api/admin/bans`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ address: "127.0.0.1", duration: "1h" }),
    });
    assert.equal(ban.status, 201);
    const { until } = (await ban.json()).ban;
    const { code, report } = await smoke(t, [server.url, "--timeout", "20"]);
    assert.equal(code, 1);
    const failed = report.steps.find((s) => !s.ok)!;
    assert.equal(failed.name, "pair 1: get an identity");
    assert.ok(failed.ms < 10_000, `refused at once, not at the step's timeout (${failed.ms} ms)`);
    assert.match(failed.error!, new RegExp(`refused by the server: You were reported by several people and can't use chatroulette until ${until}\\.$`));
  });

  test("when the matchmaker never answers, then it exits 1 at the match step", async (t) => {
    const server = await withServer(t, {}, { store: stalled });
    const { code, report } = await smoke(t, [server.url, "--timeout", "1"]);
    assert.equal(code, 1);
    const failed = report.steps.find((s) => !s.ok)!;
    assert.equal(failed.name, "pair 1: get matched with each other");
    assert.match(failed.error!, /timed out waiting for a match within 1 s/);
  });

  test("when nothing listens at the URL, then it exits 2 saying it cannot reach it", async (t) => {
    const port = await closedPort();
    const { code, report } = await smoke(t, [`http://127.0.0.1:${port}/`]);
    assert.equal(code, 2);
    assert.match(report.steps[0].error!, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  test("when the URL is malformed or the options are wrong, then it exits 2 with one line", async (t) => {
    for (const args of [["smoke", "ftp://example.org"], ["smoke", "not a url"], ["smoke", "http://127.0.0.1:9", "--pairs", "0"], ["smoke"]]) {
      const { code, stderr, stdout } = await runCli(t, args).exit;
      assert.equal(code, 2, args.join(" "));
      assert.equal(stdout, "");
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
    }
  });

  test("when peerjs leaves a promise rejection (a late ICE candidate after Next), then the bots report it as a browser would; any other rejection still ends the run", (t) => {
    const warned = t.mock.method(console, "error", () => {});
    const late = new TypeError("Cannot read properties of null (reading 'emitError')");
    late.stack = `${late}\n    at Negotiator.handleCandidate (/srv/app/node_modules/peerjs/dist/lib/negotiator.ts:335:29)`;
    reportPeerJsRejection(late);
    assert.match(String(warned.mock.calls[0]?.arguments[0]), /^warning: peerjs left a promise rejection.*reading 'emitError'/);
    const ours = new Error("a bug of ours");
    assert.throws(() => reportPeerJsRejection(ours), ours);
    assert.throws(() => reportPeerJsRejection("not an error"));
  });

  test("when the server has a self-signed certificate, then it needs --insecure", async (t) => {
    const server = await withServer(t);
    const proxy = await tlsProxy(t, server.port);
    const refused = await smoke(t, [proxy]);
    assert.equal(refused.code, 2);
    assert.match(refused.report.steps[0].error!, /self-signed\? try --insecure/);
    const { code, report } = await smoke(t, [proxy, "--insecure"]);
    assert.equal(code, 0, JSON.stringify(report));
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** HTTPS in front of the server, with a fresh self-signed certificate, as a TLS-terminating proxy would be. */
async function tlsProxy(t: TestContext, targetPort: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "chatroulette-tls-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  const proxy = createHttpsServer({ key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) });
  proxy.on("request", (req, res) => {
    const upstream = httpRequest({ host: "127.0.0.1", port: targetPort, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on("upgrade", (req, socket, head) => {
    const upstream = connect(targetPort, "127.0.0.1", () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    proxy.closeAllConnections();
    proxy.close();
  });
  return `https://127.0.0.1:${(proxy.address() as { port: number }).port}/`;
}
